import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline/promises';
import pg from 'pg';
import { loadConfig } from '../config.ts';
import { writeTx, type Actor } from '../events/transaction.ts';
import { isValidTimeZone, setUpClinic } from '../features/auth/auth.service.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { openDatabase } from '../main.ts';
import { backup, restore } from './backup.ts';
import { loadKeys } from '../crypto/keys.ts';
import { sealAuditRows, verifyAuditChain } from '../features/audit/audit.chain.ts';
import { DEMO_PASSWORD, seedDemo } from './demo-data.ts';

const say = (line: string) => process.stdout.write(line + '\n');
const quiet = () => {};

const HELP = `Doctors-System operator commands (npm run ds -- <command>):

  create-admin <username> "<display name>"   add an admin to the clinic (password from DS_PASSWORD or asked)
      first run only: --clinic-name "<name>" --time-zone <IANA zone> --currency <ABC> [--language en|ar]
  seed-demo                                   fill an EMPTY database with the demo clinic
  audit-verify                                recompute the audit trail's hash chain; exit 1 if it was tampered with
  backup <file.ndjson.gz>                     write every clinic table to one file (consistent snapshot)
  restore <file.ndjson.gz>                    load a backup into an EMPTY database
  help                                        this text

Uses DATABASE_URL when set, else the embedded database in DATA_DIR (default ./data).`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readPassword(): Promise<string> {
  if (process.env.DS_PASSWORD) return process.env.DS_PASSWORD;
  if (!process.stdin.isTTY) throw new Error('set DS_PASSWORD or run in a terminal to type the password');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const password = await rl.question('Password (at least 10 characters): ');
  rl.close();
  return password;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function createAdmin(args: string[]) {
  const [username, displayName] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  check(Boolean(username && displayName), 'usage: create-admin <username> "<display name>"');
  check(/^[A-Za-z0-9._@-]{3,80}$/.test(username), 'the username may use letters, digits and . _ @ - (3 to 80)');
  const password = await readPassword();
  check(password.length >= 10 && password.length <= 200, 'the password needs 10 to 200 characters');
  const database = await openDatabase(loadConfig(), quiet);
  try {
    const config = loadConfig();
    const deps = { db: database.db, config, clock: { now: () => new Date() } };
    const owner = new pg.Client({ connectionString: database.ownerUrl });
    await owner.connect();
    const { rows } = await owner.query<{ id: string }>('SELECT id FROM clinics ORDER BY created_at');
    await owner.end();
    if (rows.length === 0) {
      const clinicName = option(args, 'clinic-name');
      const timeZone = option(args, 'time-zone');
      const currency = option(args, 'currency');
      check(Boolean(clinicName && timeZone && currency), 'no clinic exists yet: add --clinic-name, --time-zone and --currency');
      check(isValidTimeZone(timeZone!), `unknown time zone ${timeZone}`);
      check(/^[A-Z]{3}$/.test(currency!), 'the currency is three capital letters, like JOD or USD');
      const language = option(args, 'language') === 'ar' ? 'ar' : 'en';
      await setUpClinic(deps, { clinicName: clinicName!, timeZone: timeZone!, currency: currency!, defaultLanguage: language, admin: { username, displayName, password } }, 'cli', 'ds create-admin');
      say(`Created clinic "${clinicName}" and admin ${username}.`);
      return;
    }
    const clinicId = option(args, 'clinic') ?? rows[0].id;
    check(rows.length === 1 || Boolean(option(args, 'clinic')), 'several clinics exist: choose one with --clinic <id>');
    const id = randomUUID();
    const operator: Actor = { userId: id, clinicId, role: 'admin', sessionId: null, ip: 'cli', displayName };
    const passwordHash = await hashPassword(password);
    await writeTx(deps, operator, 'staff.create', async (tx) => {
      await tx.db.insertInto('users').values({ id, clinic_id: clinicId, username, display_name: displayName, role: 'admin', password_hash: passwordHash }).execute();
      tx.audit({ entityType: 'user', entityId: id, details: { role: 'admin', via: 'cli' } });
    });
    say(`Created admin ${username}.`);
  } finally {
    await database.close();
  }
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'create-admin':
      return createAdmin(args);
    case 'seed-demo': {
      const database = await openDatabase(loadConfig(), quiet);
      try {
        say((await seedDemo(database, say)) ? `Demo clinic created; every demo password is ${DEMO_PASSWORD}.` : 'A clinic already exists: nothing seeded.');
      } finally {
        await database.close();
      }
      return;
    }
    case 'audit-verify': {
      const config = loadConfig();
      const keys = loadKeys(config, say);
      const database = await openDatabase(config, quiet);
      try {
        await sealAuditRows(database.db, keys.auditChain);
        const report = await verifyAuditChain(database.ownerUrl, keys.auditChain);
        say(`Checked ${report.checked} sealed audit rows; ${report.unsealed} newer rows not sealed yet.`);
        for (const problem of report.problems) say(`PROBLEM: ${problem}`);
        say(report.problems.length === 0 ? 'The audit trail is intact.' : `${report.problems.length} problem(s) found.`);
        if (report.problems.length > 0) process.exitCode = 1;
      } finally {
        await database.close();
      }
      return;
    }
    case 'backup':
    case 'restore': {
      check(Boolean(args[0]), `usage: ${command} <file>`);
      check(command === 'backup' || fs.existsSync(args[0]), `no such file: ${args[0]}`);
      const database = await openDatabase(loadConfig(), quiet);
      try {
        const counts = command === 'backup' ? await backup(database.ownerUrl, args[0]) : await restore(database.ownerUrl, args[0]);
        say(`${command === 'backup' ? 'Backed up' : 'Restored'}: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}.`);
      } finally {
        await database.close();
      }
      return;
    }
    default:
      say(HELP);
      if (command && command !== 'help') process.exitCode = 2;
  }
}

// Exit explicitly: the embedded database's exit hook would otherwise end the process with status 0.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    const message = error instanceof SyntaxError || (error as { code?: string }).code === 'Z_DATA_ERROR' ? 'the file could not be read as a backup' : (error as Error).message;
    fs.writeSync(2, `Error: ${message}\n`);
    process.exit(1);
  },
);
