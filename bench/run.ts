import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { startServer, type ServerProcess, type SqlEvent } from './child.ts';
import { explainAll, type PlanCheck } from './explain.ts';
import { measure, measureIdle, type LoadSpec } from './load.ts';
import { openBenchDatabase } from './postgres.ts';
import { renderConsole, renderMarkdown, type Run, type SqlProfile } from './report.ts';
import { BENCH_FEE_MINOR, BENCH_PASSWORD, CLINIC_TIME_ZONE, searchTerms, seed, seedOwedCharges, type OwedCharge, type Seeded } from './seed.ts';
import { CHECK_IN, boardStatement, findVisitStatement, searchStatement } from './sql.ts';

const PATIENTS = 100_000;
const VISITS = 2_000;
// Short fixed windows keep the whole run within a few minutes on two cores.
const SECONDS = Number(process.env.BENCH_SECONDS) || 10;
const WARMUP_SECONDS = 2;
const CONNECTIONS = { search: 50, board: 50, checkIn: 10, payment: 20 };
/** Patients awaiting payment for the payment scenario: more than both servers can pay in the run. */
const OWED = 12_000;

const say = (line: string) => process.stdout.write(line + '\n');
const CSRF = { 'x-requested-with': 'doctors-system' };

async function logIn(server: ServerProcess, username: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...CSRF },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login of ${username} failed with ${response.status}: ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

/** Each check-in takes a patient nobody has checked in yet, across all runs, so none is refused as already active. */
function patientSupply(seeded: Seeded) {
  let next = 0;
  return {
    take: () => seeded.freeForCheckIn[Math.min(next++, seeded.freeForCheckIn.length - 1)],
    used: () => next,
  };
}

/** Each payment settles a charge nobody has paid yet, across all runs. */
function owedSupply() {
  const owed: OwedCharge[] = [];
  let next = 0;
  return {
    fill: (items: OwedCharge[]) => owed.push(...items),
    take: () => owed[Math.min(next++, owed.length - 1)],
    used: () => next,
  };
}

const paymentBody = (charge: OwedCharge, key: string) => ({
  idempotencyKey: key,
  patientId: charge.patientId,
  chargeIds: [charge.chargeId],
  parts: [{ method: 'cash', amountMinor: BENCH_FEE_MINOR }],
});

function isBackground(sql: string): boolean {
  // The outbox tailer polls every 250 ms and right after each commit with events; it is not the request.
  return /outbox_after\(|outbox_head\(/.test(sql);
}

const normal = (sql: string) => sql.replace(/\s+/g, ' ').trim();

async function profileRequest(server: ServerProcess, send: () => Promise<Response>): Promise<{ status: number; events: SqlEvent[] }> {
  await server.record(true);
  const response = await send();
  await response.arrayBuffer();
  // Lets the tailer's wake-up after a commit land inside the recording, to be shown apart.
  await new Promise((r) => setTimeout(r, 300));
  return { status: response.status, events: await server.record(false) };
}

function summarise(events: SqlEvent[]) {
  const request = events.filter((e) => !isBackground(e.sql));
  return {
    roundTrips: request.length,
    statements: request.reduce((n, e) => n + e.sql.split(';').filter((s) => s.trim()).length, 0),
    dbMs: request.reduce((t, e) => t + e.ms, 0),
    background: events.length - request.length,
    list: request,
  };
}

/**
 * Round trips per request, counted from each server's own query log on separate instances (so logging
 * never weighs on the timed runs), one unloaded request at a time; also checks that every statement the
 * bare route sends is one the application sends too.
 */
async function profileSql(url: string, seeded: Seeded, supply: ReturnType<typeof patientSupply>, owed: ReturnType<typeof owedSupply>, terms: string[]): Promise<SqlProfile[]> {
  const env = { BENCH_DB_URL: url, BENCH_LOG_SQL: '1', BENCH_CLINIC_ID: seeded.clinicId, BENCH_USER_ID: seeded.secretaries[0].id };
  const [app, bare] = await Promise.all([startServer('app (logging)', './app-server.ts', env), startServer('bare (logging)', './bare-server.ts', env)]);
  try {
    const cookie = await logIn(app, seeded.secretaries[1].username);
    const get = (server: ServerProcess, path: string) => () => fetch(server.baseUrl + path, { headers: { cookie } });
    const post = (server: ServerProcess, path: string, body: unknown) => () =>
      fetch(server.baseUrl + path, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...CSRF }, body: JSON.stringify(body) });
    const cases: { scenario: string; app: () => Promise<Response>; bare: () => Promise<Response> }[] = [
      ...terms.map((term) => {
        const path = `/api/patients?q=${encodeURIComponent(term)}`;
        return { scenario: 'search', app: get(app, path), bare: get(bare, path) };
      }),
      { scenario: 'board', app: get(app, '/api/visits/board'), bare: get(bare, '/api/visits/board') },
      { scenario: 'check-in', app: post(app, '/api/visits', { patientId: supply.take() }), bare: post(bare, '/api/visits', { patientId: supply.take() }) },
      {
        scenario: 'payment',
        app: post(app, '/api/payments', paymentBody(owed.take(), `profile-app-${owed.used()}`)),
        bare: post(bare, '/api/payments', paymentBody(owed.take(), `profile-bare-${owed.used()}`)),
      },
    ];
    // One untimed pass first: the first request on a fresh pool also opens a connection.
    await (await get(app, '/api/visits/board')()).arrayBuffer();
    await (await get(bare, '/api/visits/board')()).arrayBuffer();
    const profiles = new Map<string, SqlProfile>();
    for (const c of cases) {
      const a = await profileRequest(app, c.app);
      const b = await profileRequest(bare, c.bare);
      if (a.status >= 300 || b.status >= 300) throw new Error(`${c.scenario}: unexpected status ${a.status} (app) / ${b.status} (bare)`);
      const appSql = new Set(a.events.map((e) => normal(e.sql)));
      const mismatches = b.events.filter((e) => !appSql.has(normal(e.sql))).map((e) => normal(e.sql));
      const seen = profiles.get(c.scenario);
      const profile: SqlProfile = seen ?? { scenario: c.scenario, samples: 0, app: summarise([]), bare: summarise([]), mismatches: [] };
      const sa = summarise(a.events);
      const sb = summarise(b.events);
      profile.samples++;
      // Search terms differ in the statements they need only by their WHERE clause: round trips are averaged.
      for (const [into, from] of [[profile.app, sa], [profile.bare, sb]] as const) {
        into.roundTrips += from.roundTrips;
        into.statements += from.statements;
        into.dbMs += from.dbMs;
        into.background += from.background;
        if (into.list.length === 0) into.list = from.list;
      }
      profile.mismatches.push(...mismatches);
      profiles.set(c.scenario, profile);
    }
    for (const p of profiles.values()) {
      for (const side of [p.app, p.bare]) {
        side.roundTrips /= p.samples;
        side.statements /= p.samples;
        side.dbMs /= p.samples;
        side.background /= p.samples;
      }
    }
    return [...profiles.values()];
  } finally {
    await Promise.all([app.stop(), bare.stop()]);
  }
}

async function machine(owner: pg.Client) {
  const cpuModel = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const { rows } = await owner.query("SELECT current_setting('server_version') AS version");
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    postgres: rows[0].version as string,
    kernel: `${os.type()} ${os.release()}`,
    embedded: !process.env.BENCH_DATABASE_URL,
  };
}

async function main() {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  say(`Benchmark: ${PATIENTS.toLocaleString('en')} patients, ${VISITS.toLocaleString('en')} visits today, ${SECONDS} s per measurement.`);
  const db = await openBenchDatabase(say);
  const servers: ServerProcess[] = [];
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    await db.close().catch(() => {});
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  const owner = new pg.Client({ connectionString: db.url });
  try {
    await owner.connect();
    const seeded = await seed(owner, PATIENTS, VISITS);
    // A real register has been vacuumed and analysed: plans and visibility as in steady state.
    await owner.query('VACUUM ANALYZE');
    say(`Seeded and analysed in ${elapsed()}.`);

    const terms = searchTerms(seeded.patients, 2_000);
    // One term of each kind is explained and profiled; the load uses them all.
    const firstOf = new Map<string, string>();
    for (const t of terms) if (!firstOf.has(t.kind)) firstOf.set(t.kind, t.term);
    const { rows: someVisit } = await owner.query('SELECT id FROM visits ORDER BY queue_number DESC LIMIT 1');
    const plans: PlanCheck[] = await explainAll(owner, seeded.clinicId, [
      ...(await Promise.all([...firstOf].map(async ([kind, term]) => ({ label: `search: ${kind} "${term}"`, statement: (await searchStatement(term))! })))),
      { label: 'board: today and active visits', statement: await boardStatement(seeded.today) },
      // Diagnostic: what the board's join costs when the planner may not hash the whole patients table.
      {
        label: 'board, hash and merge joins off',
        statement: await boardStatement(seeded.today),
        settings: 'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off',
      },
      { label: 'check-in: patient exists', statement: CHECK_IN.patientExists(seeded.freeForCheckIn[0]) },
      { label: 'check-in: active visit of patient', statement: CHECK_IN.activeVisit(seeded.freeForCheckIn[0]) },
      { label: 'check-in: visit as returned', statement: await findVisitStatement(someVisit[0].id) },
    ]);
    say(`Explained ${plans.length} statements in ${elapsed()}.`);

    const env = { BENCH_DB_URL: db.url, BENCH_CLINIC_ID: seeded.clinicId, BENCH_USER_ID: seeded.secretaries[0].id };
    const [app, bare] = await Promise.all([startServer('app', './app-server.ts', env), startServer('bare', './bare-server.ts', env)]);
    servers.push(app, bare);
    const secretary = await logIn(app, seeded.secretaries[0].username);
    const doctor = await logIn(app, seeded.doctors[0].username);

    // The logins' pool connections stay open; the rest is what both servers and PostgreSQL cost at rest.
    const idle = await measureIdle([app, bare], db.cpuMicros, 3_000);
    const supply = patientSupply(seeded);
    const nextTerm = cycle(terms.map((t) => `/api/patients?q=${encodeURIComponent(t.term)}`));
    const owed = owedSupply();
    let keys = 0;
    const scenarios: { name: string; what: string; spec: LoadSpec; before?: () => Promise<void> }[] = [
      {
        name: 'search',
        what: `GET /api/patients?q= (${terms.length} varied terms), a doctor and a secretary alternating`,
        spec: { path: '/api/patients', method: 'GET', connections: CONNECTIONS.search, sessions: [doctor, secretary], next: nextTerm },
      },
      {
        name: 'board',
        what: `GET /api/visits/board (${VISITS.toLocaleString('en')} visits today), a secretary`,
        spec: { path: '/api/visits/board', method: 'GET', connections: CONNECTIONS.board, sessions: [secretary], next: () => '/api/visits/board' },
      },
      {
        name: 'check-in',
        what: 'POST /api/visits {patientId}, a different walk-in patient each time, a secretary',
        spec: {
          path: '/api/visits',
          method: 'POST',
          connections: CONNECTIONS.checkIn,
          sessions: [secretary],
          headers: { 'content-type': 'application/json', ...CSRF },
          next: () => JSON.stringify({ patientId: supply.take() }),
        },
      },
      {
        name: 'payment',
        what: `POST /api/payments: one consultation charge of a visit awaiting payment, in cash, a different patient each time (invoice numbered, visit released to the queue), a secretary`,
        before: async () => {
          const taken = new Set(seeded.freeForCheckIn.slice(0, supply.used() + 50));
          const patients = seeded.freeForCheckIn.filter((id) => !taken.has(id)).slice(-OWED);
          owed.fill(await seedOwedCharges(owner, seeded, patients));
          await owner.query('VACUUM ANALYZE visits, charges');
        },
        spec: {
          path: '/api/payments',
          method: 'POST',
          connections: CONNECTIONS.payment,
          sessions: [secretary],
          headers: { 'content-type': 'application/json', ...CSRF },
          next: () => JSON.stringify(paymentBody(owed.take(), `bench-${++keys}`)),
        },
      },
    ];
    const runs: Run[] = [];
    for (const scenario of scenarios) {
      await scenario.before?.();
      const results = [];
      for (const server of [app, bare]) {
        say(`${scenario.name} on ${server.name}: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured at ${scenario.spec.connections} connections...`);
        results.push(await measure(server, scenario.spec, { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, pgCpuMicros: db.cpuMicros, idle }));
      }
      runs.push({ name: scenario.name, what: scenario.what, app: results[0], bare: results[1] });
    }
    await Promise.all(servers.splice(0).map((s) => s.stop()));

    const sqlTerms = [...firstOf.values()];
    const sql = await profileSql(db.url, seeded, supply, owed, sqlTerms);
    say(`Measured and profiled in ${elapsed()}.`);

    const context = {
      date: new Date(),
      machine: await machine(owner),
      durationSeconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      patients: PATIENTS,
      visits: VISITS,
      timeZone: CLINIC_TIME_ZONE,
      termKinds: countKinds(terms),
      idle: { app: idle.server.get(app)!, bare: idle.server.get(bare)!, postgres: idle.postgres, machineBusy: idle.machineBusy },
      checkedIn: supply.used(),
      paid: owed.used(),
      totalSeconds: (Date.now() - started) / 1000,
    };
    say('');
    say(renderConsole(runs, sql, plans));
    const resultsFile = new URL('./RESULTS.md', import.meta.url);
    fs.writeFileSync(resultsFile, renderMarkdown(context, runs, sql, plans));
    say(`\nWrote ${resultsFile.pathname} (${elapsed()} in all).`);
  } finally {
    await owner.end().catch(() => {});
    await cleanUp();
  }
}

function countKinds(terms: { kind: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of terms) counts[t.kind] = (counts[t.kind] ?? 0) + 1;
  return counts;
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
