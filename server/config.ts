import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset means: start the embedded PostgreSQL in dataDir. */
  databaseUrl: string | null;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  tlsCert: string | null;
  tlsKey: string | null;
  /** Serve the built web app from this folder when it exists. */
  webDist: string;
  /** Trust X-Forwarded-For from a reverse proxy in front of several instances. */
  trustProxy: boolean;
  /** The master key itself (hex or base64), or a file holding it; default DATA_DIR/clinic.key. */
  clinicMasterKey: string | null;
  clinicKeyFile: string | null;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Reads the environment once; a bad value stops the start with one clear line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const tlsCert = env.TLS_CERT || null;
  const tlsKey = env.TLS_KEY || null;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new ConfigError('TLS_CERT and TLS_KEY must be set together');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 15, 1, 24 * 60),
    sessionAbsoluteHours: integer(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
    tlsCert,
    tlsKey,
    webDist: path.resolve(env.WEB_DIST || 'dist/web'),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    clinicMasterKey: env.CLINIC_MASTER_KEY || null,
    clinicKeyFile: env.CLINIC_KEY_FILE ? path.resolve(env.CLINIC_KEY_FILE) : null,
  };
}
