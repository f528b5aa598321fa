import { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDb, migrate } from './db/database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';

const say = (line: string) => process.stdout.write(line + '\n');

async function main() {
  const config = loadConfig();
  let embedded: EmbeddedServer | null = null;
  let ownerUrl = config.databaseUrl;
  if (!ownerUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, say);
    ownerUrl = embedded.url;
    say(`Embedded PostgreSQL running; data in ${config.dataDir}.`);
  }
  await migrate(ownerUrl, say);
  const db = createDb(ownerUrl, { role: 'doctors_app', poolSize: Number(process.env.DB_POOL_SIZE) || 20 });
  const app = await buildApp({ db, config, clock: systemClock, logger: process.env.LOG_REQUESTS === '1' });
  await app.fastify.listen({ port: config.port, host: config.host });
  const scheme = config.tlsCert ? 'https' : 'http';
  say(`Doctors-System is ready at ${scheme}://${config.host}:${config.port}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    say(`${signal} received: closing.`);
    await app.close().catch(() => {});
    await db.destroy().catch(() => {});
    if (embedded) await embedded.stop().catch(() => {});
    say('Stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Could not start: ${(error as Error).message ?? error}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
