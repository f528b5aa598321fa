import { hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';

/** Keys derived from the one master key kept outside the database. */
export interface Keys {
  /** HMAC key sealing each link of the audit hash chain. */
  auditChain: Buffer;
}

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `doctors-system/${purpose}`, 32));
}

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new ConfigError(`${source} must hold a 32-byte key (64 hex digits or base64)`);
  return key;
}

/**
 * Loads the master key from CLINIC_MASTER_KEY, else CLINIC_KEY_FILE, else DATA_DIR/clinic.key, creating
 * that file (mode 0600) on first run. Several servers of one installation must share the same key.
 */
export function loadKeys(config: Config, log: (line: string) => void): Keys {
  let master: Buffer;
  if (config.clinicMasterKey) master = decodeKey(config.clinicMasterKey, 'CLINIC_MASTER_KEY');
  else {
    const file = config.clinicKeyFile ?? path.join(config.dataDir, 'clinic.key');
    if (fs.existsSync(file)) master = decodeKey(fs.readFileSync(file, 'utf8'), file);
    else if (config.clinicKeyFile) throw new ConfigError(`CLINIC_KEY_FILE ${file} does not exist`);
    else {
      master = randomBytes(32);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, master.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      log(`Created a new clinic key in ${file} (mode 0600). Back it up apart from the database backups.`);
    }
  }
  return { auditChain: derive(master, 'audit-chain') };
}
