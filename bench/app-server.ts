import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../server/app.ts';
import { systemClock } from '../server/clock.ts';
import { loadConfig } from '../server/config.ts';
import { loadKeys } from '../server/crypto/keys.ts';
import { createDb } from '../server/db/database.ts';
import { serveParent, type SqlEvent } from './child.ts';
import { BENCH_POOL_SIZE } from './sql.ts';

// The real application exactly as server/main.ts wires it, minus the embedded database and the web files.
const url = process.env.BENCH_DB_URL!;
const logSql = process.env.BENCH_LOG_SQL === '1';
let recording: SqlEvent[] | null = null;

const db = createDb(url, {
  role: 'doctors_app',
  poolSize: BENCH_POOL_SIZE,
  // Only the instance that counts round trips logs: a logger costs a little on every query.
  ...(logSql && {
    log: (event) => {
      if (recording && event.level === 'query') recording.push({ sql: event.query.sql, ms: event.queryDurationMillis });
    },
  }),
});
const config = { ...loadConfig({}), webDist: '/nonexistent-bench-web', clinicMasterKey: randomBytes(32).toString('hex') };
// With keys the timed instance also seals the audit chain in the background, as a real server does. The
// logging instance leaves it out: its rounds every 2 s are nobody's request and would blur the count.
const keys = logSql ? undefined : loadKeys(config, () => {});
const app = await buildApp({ db, config, clock: systemClock, keys, logger: false });
await app.fastify.listen({ port: 0, host: '127.0.0.1' });

serveParent((app.fastify.server.address() as AddressInfo).port, {
  record(on) {
    const recorded = recording ?? [];
    recording = on ? [] : null;
    return recorded;
  },
  async stop() {
    await app.close();
    await db.destroy();
  },
});
