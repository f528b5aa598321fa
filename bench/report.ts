import type { SqlEvent } from './child.ts';
import { describeScans, type PlanCheck, type ScanNode } from './explain.ts';
import type { Measured } from './load.ts';

export interface Run {
  name: string;
  what: string;
  app: Measured;
  bare: Measured;
}

export interface RoundTrips {
  roundTrips: number;
  statements: number;
  /** Time the server waited on PostgreSQL for the request, unloaded. */
  dbMs: number;
  /** Outbox tailer queries seen in the same window: not part of the request. */
  background: number;
  list: SqlEvent[];
}

export interface SqlProfile {
  scenario: string;
  samples: number;
  app: RoundTrips;
  bare: RoundTrips;
  /** Statements the bare route sent that the application did not: should be none. */
  mismatches: string[];
}

export interface Context {
  date: Date;
  machine: { nproc: number; cpuModel: string; memoryGiB: number; node: string; postgres: string; kernel: string; embedded: boolean };
  durationSeconds: number;
  warmupSeconds: number;
  patients: number;
  visits: number;
  timeZone: string;
  termKinds: Record<string, number>;
  idle: { app: number; bare: number; postgres: number | null; machineBusy: number };
  checkedIn: number;
  paid: number;
  totalSeconds: number;
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const one = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const pct = (n: number | null) => (n === null ? 'n/a' : `${Math.round(n * 100)}%`);
const kib = (n: number) => (n >= 10_240 ? `${int(n / 1024)} KiB` : `${int(n)} B`);
const short = (sql: string, max = 110) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};

function profileOf(sql: SqlProfile[], name: string) {
  return sql.find((p) => p.scenario === name);
}

function rows(runs: Run[], sql: SqlProfile[]) {
  const out: string[][] = [];
  for (const run of runs) {
    const profile = profileOf(sql, run.name);
    for (const [label, m, trips] of [
      ['app', run.app, profile?.app],
      ['bare', run.bare, profile?.bare],
    ] as const) {
      out.push([
        run.name,
        label,
        String(m.connections),
        one(m.reqPerSec),
        one(m.p50),
        one(m.p99),
        int(m.serverCpuMicrosPerReq),
        m.pgCpuMicrosPerReq === null ? 'n/a' : int(m.pgCpuMicrosPerReq),
        trips ? one(trips.roundTrips) : '?',
        kib(m.bytesPerResponse),
        String(m.non2xx + m.errors + m.timeouts),
      ]);
    }
    out.push([
      run.name,
      'app/bare',
      '',
      ratio(run.app.reqPerSec, run.bare.reqPerSec),
      ratio(run.app.p50, run.bare.p50),
      ratio(run.app.p99, run.bare.p99),
      ratio(run.app.serverCpuMicrosPerReq, run.bare.serverCpuMicrosPerReq),
      run.app.pgCpuMicrosPerReq === null ? 'n/a' : ratio(run.app.pgCpuMicrosPerReq, run.bare.pgCpuMicrosPerReq ?? 0),
      profile ? ratio(profile.app.roundTrips, profile.bare.roundTrips) : '',
      '',
      '',
    ]);
  }
  return out;
}

const HEADER = ['scenario', 'server', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'Node CPU µs/req', 'PG CPU µs/req', 'round trips', 'response', 'failed'];

export function renderConsole(runs: Run[], sql: SqlProfile[], plans: PlanCheck[]): string {
  const table = [HEADER, ...rows(runs, sql)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const lines = table.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const seq = plans.filter(hasHotSeqScan);
  if (seq.length > 0) {
    lines.push('', 'Sequential scans on hot tables, as the application runs the query:');
    for (const p of seq) lines.push(`  ${p.label}: ${p.asApp.ms.toFixed(1)} ms, ${describeScans(p.asApp.scans.filter(isSeqOnHotTable))}`);
  }
  return lines.join('\n');
}

const HOT_TABLES = new Set(['patients', 'visits', 'audit_log', 'sessions']);
const isSeqOnHotTable = (s: ScanNode) => s.node === 'Seq Scan' && s.relation !== null && HOT_TABLES.has(s.relation) && s.rows + s.removed > 1_000;
const hasHotSeqScan = (p: PlanCheck) => p.asApp.scans.some(isSeqOnHotTable);
const usesIndex = (e: PlanCheck['asApp']) => e.scans.some((s) => s.node !== 'Seq Scan');

function markdownTable(header: string[], body: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [header, header.map(() => '---'), ...body].map((r) => `| ${r.map(escape).join(' | ')} |`).join('\n');
}

function extraStatements(profile: SqlProfile): string[] {
  const bare = new Set(profile.bare.list.map((e) => short(e.sql, 400)));
  return profile.app.list.filter((e) => !bare.has(short(e.sql, 400))).map((e) => short(e.sql, 70));
}

function interpretation(runs: Run[], sql: SqlProfile[], plans: PlanCheck[]): string[] {
  const out: string[] = [];
  for (const run of runs) {
    const { app, bare } = run;
    const profile = profileOf(sql, run.name);
    let text =
      `**${run.name}**: the application serves ${one(app.reqPerSec)} req/s against ${one(bare.reqPerSec)} for the bare route ` +
      `(app/bare ${ratio(app.reqPerSec, bare.reqPerSec)}), p50 ${one(app.p50)} ms against ${one(bare.p50)} ms. ` +
      `Its Node process spends ${int(app.serverCpuMicrosPerReq)} µs of CPU per request against ${int(bare.serverCpuMicrosPerReq)} µs ` +
      `(${ratio(app.serverCpuMicrosPerReq, bare.serverCpuMicrosPerReq)})`;
    if (app.pgCpuMicrosPerReq !== null && bare.pgCpuMicrosPerReq !== null) {
      text += `, and PostgreSQL ${int(app.pgCpuMicrosPerReq)} µs against ${int(bare.pgCpuMicrosPerReq)} µs (${ratio(app.pgCpuMicrosPerReq, bare.pgCpuMicrosPerReq)})`;
    }
    text += '.';
    if (app.share.postgres !== null) {
      const bound = app.share.postgres > app.share.server * 1.5 ? 'PostgreSQL' : app.share.server > app.share.postgres * 1.5 ? 'the Node server' : null;
      text += ` During the application's run the machine was ${pct(app.share.busy)} busy: PostgreSQL ${pct(app.share.postgres)}, the Node server ${pct(app.share.server)}, the load generator ${pct(app.share.loadGenerator)}`;
      text += bound ? `; ${bound} takes most of the CPU.` : '.';
    }
    if (profile) {
      const extra = extraStatements(profile);
      text += ` Per request the application makes ${one(profile.app.roundTrips)} round trips to the bare route's ${one(profile.bare.roundTrips)}`;
      text += extra.length ? `; the extra ones: ${extra.map((e) => `\`${e}\``).join(', ')}.` : '.';
      for (const [table, what] of [['daily_counters', "Check-ins of one clinic queue on the day's counter row"], ['document_counters', "Payments of one clinic queue on the year's invoice counter row"]] as const) {
        const marker = `insert into "${table}"`;
        const afterCounter = (list: SqlEvent[]) => list.length - list.findIndex((e) => e.sql.includes(marker)) - 1;
        if (!profile.app.list.some((e) => e.sql.includes(marker))) continue;
        text +=
          ` ${what}, locked from the number's update to COMMIT: the application holds it over ${afterCounter(profile.app.list)} more round trips ` +
          `(the bare route ${afterCounter(profile.bare.list)}) plus the WAL flush at COMMIT, and any delay in the server between those round trips (its event loop is busy with the other connections' requests) lengthens the hold.`;
      }
    }
    out.push(text);
  }
  const scanned = plans.filter((p) => hasHotSeqScan(p) && !p.settings);
  const searches = scanned.filter((p) => p.label.startsWith('search'));
  if (searches.length > 0) {
    const each = searches.map((p) => {
      const owner = p.asOwner.scans.some(isSeqOnHotTable) ? 'also a sequential scan' : describeScans(p.asOwner.scans.filter((s) => s.node !== 'Seq Scan'));
      return `${p.label.replace(/^search: /, '')} ${p.asApp.ms.toFixed(1)} ms (as owner ${p.asOwner.ms.toFixed(1)} ms, ${owner})`;
    });
    out.push(`**Search reads the whole patients table** for ${searches.length} of the ${plans.filter((p) => p.label.startsWith('search')).length} kinds of term, as the application runs it: ${each.join('; ')}.`);
    if (searches.some((p) => usesIndex(p.asOwner) && !p.asOwner.scans.some(isSeqOnHotTable))) {
      out.push(
        'Where the owner, to whom row-level security does not apply, gets the trigram index and the application does not, the policy is the cause: under row-level security PostgreSQL ' +
          'uses a condition as an index condition only if its operator is leakproof, and LIKE (textlike) is not, so `search_name LIKE $1` is checked row by row after the policy.',
      );
    }
    if (searches.some((p) => p.asOwner.scans.some(isSeqOnHotTable) && p.statement.text.includes('upper(national_id) = upper('))) {
      out.push(
        'Where even the owner scans, the exact-match branch is the cause: an OR can use indexes only if every branch can, and `upper(national_id) = upper($2)` matches no index ' +
          '(the unique index is on (clinic_id, national_id), and upper() is not leakproof either). Every search text of 3 to 24 letters, digits or hyphens (each one-word Latin search, each number) gets that branch.',
      );
    }
  }
  for (const p of scanned.filter((p) => !p.label.startsWith('search'))) {
    let text = `**${p.label}** reads ${describeScans(p.asApp.scans.filter(isSeqOnHotTable))} as the application runs it (${p.asApp.ms.toFixed(1)} ms; as owner ${p.asOwner.ms.toFixed(1)} ms, ${describeScans(p.asOwner.scans.filter(isSeqOnHotTable)) || 'no sequential scan'}).`;
    const variant = plans.find((v) => v.settings && v.statement.text === p.statement.text);
    if (variant) {
      text += ` With ${variant.settings!.replace(/SET LOCAL /g, '').replace(/; /g, ', ')} the same statement takes ${variant.asApp.ms.toFixed(1)} ms as doctors_app (${describeScans(variant.asApp.scans)})`;
      text += variant.asApp.ms < p.asApp.ms / 2 ? ": the planner's choice of a hash join over all of patients is what costs." : '.';
    }
    out.push(text);
  }
  return out;
}

export function renderMarkdown(ctx: Context, runs: Run[], sql: SqlProfile[], plans: PlanCheck[]): string {
  const m = ctx.machine;
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(
    `Written by \`npm run bench\` (bench/run.ts) on ${ctx.date.toISOString().slice(0, 16).replace('T', ' ')} UTC; the whole run took ${Math.round(ctx.totalSeconds)} s. ` +
      'Every figure below comes from that one run: the application and its bare baseline were measured one after the other on the same data.',
    '',
  );
  const env = [process.env.BENCH_DATABASE_URL && 'BENCH_DATABASE_URL=postgres://…', process.env.BENCH_SECONDS && `BENCH_SECONDS=${process.env.BENCH_SECONDS}`].filter(Boolean);
  lines.push('## Command', '', '```sh', [...env, 'npm run bench'].join(' '), '```', '');
  lines.push('## Machine', '');
  lines.push(`- ${m.nproc} CPUs (nproc), ${m.cpuModel}; ${m.memoryGiB.toFixed(1)} GiB memory; ${m.kernel}`);
  lines.push(`- Node.js ${m.node}; PostgreSQL ${m.postgres}${m.embedded ? ' (embedded, started for the run in a temporary folder, fsync on)' : ' (at BENCH_DATABASE_URL)'}`);
  lines.push('- The load generator (autocannon, in the parent process), the server under test (its own Node process) and PostgreSQL share these CPUs.');
  lines.push(
    `- At rest, just before the measurements, the machine was ${pct(ctx.idle.machineBusy)} busy with work that is not this benchmark's` +
      (ctx.idle.machineBusy > 0.1 ? ' (other processes share this machine: the figures below carry their noise; the "other" column shows how much).' : '.'),
    '',
  );
  lines.push('## Data', '');
  lines.push(
    `- One clinic (time zone ${ctx.timeZone}) with ${ctx.patients.toLocaleString('en')} patients: names in Latin script, Arabic script or both, some with accents or tashkeel, ` +
      'Jordanian mobile numbers in four spellings, birth dates 1935 to yesterday, national ids on 60%, sequential record numbers; search columns folded by the application\'s own foldForSearch and phoneDigits.',
  );
  lines.push(`- ${ctx.visits.toLocaleString('en')} visits today in queue order (early numbers mostly completed, recent ones waiting, awaiting payment or results, one in consultation per doctor at most), 4 doctors, 3 secretaries; VACUUM ANALYZE after loading.`);
  lines.push(`- Search terms (${Object.values(ctx.termKinds).reduce((a, b) => a + b, 0).toLocaleString('en')}, drawn from the register, used in turn): ${Object.entries(ctx.termKinds).map(([k, n]) => `${k} ${n}`).join(', ')}.`);
  lines.push(`- Check-in: each request a different walk-in patient with no visit today, who then owes the clinic's general consultation fee (a pending charge; the visit awaits payment) (${ctx.checkedIn.toLocaleString('en')} patients used over warm-ups, runs and profiling); board runs before check-ins, so it always lists ${ctx.visits.toLocaleString('en')} visits.`);
  lines.push(`- Payment: just before it is measured, 12,000 further patients are checked in as awaiting payment of a 15.000 JOD consultation (one pending charge each, added as the owner); each request pays one of them in cash (${ctx.paid.toLocaleString('en')} used over warm-ups, runs and profiling), issuing the next invoice number and releasing the visit to the queue.`, '');

  lines.push('## Results', '');
  lines.push(`Each row: ${ctx.warmupSeconds} s warm-up (discarded), then ${ctx.durationSeconds} s measured. Node CPU and PostgreSQL CPU are per request sent, including requests still in flight when the load stopped (the servers are allowed to finish them), net of what each costs at rest (application ${int(ctx.idle.app)} µs/s, its outbox tailer polling every 250 ms; bare ${int(ctx.idle.bare)} µs/s; PostgreSQL ${ctx.idle.postgres === null ? 'n/a' : `${int(ctx.idle.postgres)} µs/s`}). Round trips per request from the profiling pass below. "failed": non-2xx, errors and timeouts.`, '');
  lines.push(markdownTable(HEADER, rows(runs, sql)), '');
  lines.push('Where the CPU went (share of all CPUs, measured window):', '');
  lines.push(
    markdownTable(
      ['scenario', 'server', 'machine busy', 'Node server', 'PostgreSQL', 'load generator', 'other'],
      runs.flatMap((run) =>
        ([['app', run.app], ['bare', run.bare]] as const).map(([label, r]) => [
          run.name,
          label,
          pct(r.share.busy),
          pct(r.share.server),
          pct(r.share.postgres),
          pct(r.share.loadGenerator),
          r.share.postgres === null ? 'n/a' : pct(Math.max(0, r.share.busy - r.share.server - r.share.postgres - r.share.loadGenerator)),
        ]),
      ),
    ),
    '',
  );

  lines.push('## SQL per request', '');
  lines.push(
    'Counted from each server\'s own query log (the application through the optional `log` of createDb, the bare route around its pg calls) on separate, logging instances, one unloaded request at a time. ' +
      'A round trip is one query sent; `BEGIN; SELECT set_config(…)` is one round trip holding two statements. Outbox tailer polls in the same window are listed apart. ' +
      '"same SQL" checks that every statement the bare route sent is, text for text, one the application sent.',
    '',
  );
  lines.push(
    markdownTable(
      ['scenario', 'app round trips', 'app statements', 'app DB wait ms', 'bare round trips', 'bare statements', 'bare DB wait ms', 'same SQL'],
      sql.map((p) => [
        p.scenario + (p.samples > 1 ? ` (mean of ${p.samples})` : ''),
        one(p.app.roundTrips),
        one(p.app.statements),
        p.app.dbMs.toFixed(1),
        one(p.bare.roundTrips),
        one(p.bare.statements),
        p.bare.dbMs.toFixed(1),
        p.mismatches.length === 0 ? 'yes' : `no: ${p.mismatches.map((s) => short(s, 60)).join('; ')}`,
      ]),
    ),
    '',
  );
  const checkIn = profileOf(sql, 'check-in');
  if (checkIn) {
    lines.push('One check-in, as the application sends it:', '');
    checkIn.app.list.forEach((e, i) => lines.push(`${i + 1}. \`${short(e.sql)}\` (${e.ms.toFixed(2)} ms)`));
    lines.push(
      '',
      `In the 300 ms after the response the outbox tailer also polled ${one(checkIn.app.background)} time(s) (\`SELECT * FROM outbox_after(…)\`: its 250 ms tick and the wake-up after a commit with events); that is not counted as the request's. ` +
        `The bare route sends ${one(checkIn.bare.roundTrips)} round trips: the same without the session lookup and the audit/outbox insert.`,
      '',
    );
  }

  lines.push('## Query plans at this size', '');
  lines.push(
    'EXPLAIN ANALYZE of each statement with the run\'s data, as the application runs it (role doctors_app, clinic set, row-level security on) and, for comparison, as the table owner (no row-level security). Warm cache.',
    '',
  );
  lines.push(
    markdownTable(
      ['statement', 'as doctors_app ms', 'plan (app)', 'as owner ms', 'plan (owner)'],
      plans.map((p) => [p.label, p.asApp.ms.toFixed(1), describeScans(p.asApp.scans), p.asOwner.ms.toFixed(1), describeScans(p.asOwner.scans)]),
    ),
    '',
  );
  lines.push('<details><summary>Full plans as doctors_app</summary>', '');
  for (const p of plans) lines.push(`**${p.label}**`, '', '```', p.statement.text, '', p.asApp.text, '```', '');
  lines.push('</details>', '');

  lines.push('## Interpretation', '');
  for (const bullet of interpretation(runs, sql, plans)) lines.push(`- ${bullet}`);
  lines.push('');
  lines.push('## Method', '');
  lines.push(
    '- The application is `buildApp` with `createDb(url, { role: \'doctors_app\', poolSize: 20 })` and a master key (so it also seals the audit chain every 2 s), as server/main.ts builds it, listening on 127.0.0.1 in a child process; the logging instance of the SQL count runs without the sealer. Logins go through POST /api/auth/login; requests carry the session cookie (and the CSRF header on POST).',
    '- The bare baseline (bench/bare-server.ts) is plain Fastify and pg with the same pool settings, in a child process of its own, running the statements of bench/sql.ts: the application\'s domain statements (search, board and the returned visit compiled from the application\'s own query functions, the check-in writes as Kysely compiles them; the run checks them against the application\'s query log), for the same clinic, in the same kind of transaction (`BEGIN; SELECT set_config(\'app.clinic_id\', …)` as doctors_app, so row-level security applies alike). It has no session lookup, permission check, audit row, outbox event, schema validation or response schema; the board and visit statements are compiled once at start and search\'s one-line call per request.',
    '- Node CPU is process.cpuUsage() read inside the server process over IPC; PostgreSQL CPU is the utime+stime of the postmaster and all its children from /proc (a backend that exits is accounted through its parent\'s reaped-children time). Both cover the measured window plus the time the server needs to finish requests still in flight.',
    '- The check-in counter row (`daily_counters`) is locked from the queue-number update to COMMIT (which waits for fsync), so check-ins of one clinic are serialised by design; more connections only queue. Payments likewise serialise on the year\'s invoice counter row (`document_counters`): that is what makes the numbers gap-free.',
    '',
  );
  return lines.join('\n');
}
