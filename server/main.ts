import { pathToFileURL } from 'node:url';
import { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, migrate, type Db } from './db/database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { loadKeys } from './crypto/keys.ts';

const say = (line: string) => process.stdout.write(line + '\n');

export interface Database {
  ownerUrl: string;
  db: Db;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL or starts the embedded PostgreSQL in DATA_DIR, and migrates it. */
export async function openDatabase(config: Config, log: (line: string) => void = say): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let ownerUrl = config.databaseUrl;
  if (!ownerUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, log);
    ownerUrl = embedded.url;
    log(`Embedded PostgreSQL running; data in ${config.dataDir}.`);
  }
  try {
    await migrate(ownerUrl, log);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = createDb(ownerUrl, { role: 'doctors_app', poolSize: Number(process.env.DB_POOL_SIZE) || 20 });
  return {
    ownerUrl,
    db,
    async close() {
      await db.destroy().catch(() => {});
      if (embedded) await embedded.stop().catch(() => {});
    },
  };
}

/** Runs the clinic server until SIGINT or SIGTERM, then closes the app and its embedded PostgreSQL cleanly. */
export async function runServer(config: Config, prepare?: (database: Database) => Promise<void>): Promise<void> {
  const keys = loadKeys(config, say);
  const database = await openDatabase(config);
  if (prepare) await prepare(database);
  const app = await buildApp({ db: database.db, config, clock: systemClock, keys, logger: process.env.LOG_REQUESTS === '1' });
  await app.fastify.listen({ port: config.port, host: config.host });
  const scheme = config.tlsCert ? 'https' : 'http';
  say(`Doctors-System is ready at ${scheme}://${config.host}:${config.port}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    say(`${signal} received: closing.`);
    await app.close().catch(() => {});
    await database.close();
    say('Stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** One clear line for a failed start, never a stack trace. */
export function failStart(error: unknown): never {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Could not start: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(message + '\n');
  process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.resolve()
    .then(() => runServer(loadConfig()))
    .catch(failStart);
}
