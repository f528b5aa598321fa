import type pg from 'pg';
import { beginInClinic, type Statement } from './sql.ts';

export interface ScanNode {
  node: string;
  relation: string | null;
  index: string | null;
  rows: number;
  removed: number;
}

export interface Explained {
  ms: number;
  scans: ScanNode[];
  text: string;
}

export interface PlanCheck {
  label: string;
  statement: Statement;
  /** SET LOCAL settings for a diagnostic variant of a statement, e.g. a join method turned off. */
  settings?: string;
  /** As the application runs it: doctors_app, clinic set, row-level security applied. */
  asApp: Explained;
  /** As the owner, to whom row-level security does not apply: what the same query costs without it. */
  asOwner: Explained;
}

interface PlanJson {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanJson[];
}

function scansOf(plan: PlanJson, into: ScanNode[] = []): ScanNode[] {
  if (plan['Relation Name'] || plan['Index Name']) {
    const loops = plan['Actual Loops'] ?? 1;
    into.push({
      node: plan['Node Type'],
      relation: plan['Relation Name'] ?? null,
      index: plan['Index Name'] ?? null,
      rows: (plan['Actual Rows'] ?? 0) * loops,
      removed: (plan['Rows Removed by Filter'] ?? 0) * loops,
    });
  }
  for (const child of plan.Plans ?? []) scansOf(child, into);
  return into;
}

// auto_explain reports the plans of statements run inside functions (patient search is one), which a
// plain EXPLAIN shows only as a "Function Scan". Its settings are superuser-only, so they are made
// before the role changes; the library is loaded into the owner's session once.
const AUTO_EXPLAIN =
  "LOAD 'auto_explain'; SET LOCAL auto_explain.log_min_duration = 0; SET LOCAL auto_explain.log_analyze = on; " +
  'SET LOCAL auto_explain.log_nested_statements = on; SET LOCAL auto_explain.log_buffers = on; SET LOCAL auto_explain.log_level = notice';

/** Runs the statement once and returns the plans auto_explain reported for the statements nested in it. */
async function nestedPlans(owner: pg.Client, statement: Statement, role: string | null, format: 'json' | 'text'): Promise<string[]> {
  const plans: string[] = [];
  const onNotice = (notice: { message?: string }) => {
    const message = notice.message ?? '';
    const at = message.indexOf('plan:');
    if (at >= 0) plans.push(message.slice(at + 'plan:'.length).trim());
  };
  // The format is a superuser setting too: the role steps back to the owner to change it.
  await owner.query(`RESET ROLE; SET LOCAL auto_explain.log_format = ${format}${role ? `; SET LOCAL ROLE ${role}` : ''}`);
  owner.on('notice', onNotice);
  try {
    await owner.query(statement.text, statement.values);
  } finally {
    owner.off('notice', onNotice);
  }
  // The top-level statement's own plan is reported too (sometimes only after the query has returned).
  return plans.filter((plan) => !plan.includes(statement.text.trim()));
}

async function explainOnce(owner: pg.Client, setup: string, role: string | null, statement: Statement): Promise<Explained> {
  await owner.query(setup);
  try {
    // The first execution warms the caches the measured runs will find warm.
    await owner.query(statement.text, statement.values);
    const json = await owner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
    const [top] = json.rows[0]['QUERY PLAN'] as { Plan: PlanJson; 'Execution Time': number }[];
    const text = await owner.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values);
    const explained = { ms: top['Execution Time'], scans: scansOf(top.Plan), text: text.rows.map((r) => r['QUERY PLAN']).join('\n') };
    if (top.Plan['Node Type'] !== 'Function Scan') return explained;
    // A function: what counts is how the statements inside it read the tables.
    const inner = (await nestedPlans(owner, statement, role, 'json')).map((p) => JSON.parse(p) as { Plan: PlanJson });
    const innerText = await nestedPlans(owner, statement, role, 'text');
    return {
      ms: explained.ms,
      scans: inner.flatMap((p) => scansOf(p.Plan)),
      text: `${explained.text}\n\nInside the function:\n\n${innerText.join('\n\n')}`,
    };
  } finally {
    // The transaction only scopes the role and the clinic setting; only reads are explained.
    await owner.query('ROLLBACK');
  }
}

/** EXPLAIN ANALYZE of each statement as the application runs it and, for comparison, as the owner. */
export async function explainAll(
  owner: pg.Client,
  clinicId: string,
  checks: { label: string; statement: Statement; settings?: string }[],
): Promise<PlanCheck[]> {
  const results: PlanCheck[] = [];
  for (const check of checks) {
    const settings = check.settings ? `; ${check.settings}` : '';
    const asApp = `${beginInClinic(clinicId)}; ${AUTO_EXPLAIN}; SET LOCAL ROLE doctors_app${settings}`;
    const asOwner = `${beginInClinic(clinicId)}; ${AUTO_EXPLAIN}${settings}`;
    results.push({ ...check, asApp: await explainOnce(owner, asApp, 'doctors_app', check.statement), asOwner: await explainOnce(owner, asOwner, null, check.statement) });
  }
  return results;
}

/** "Seq Scan on patients (98,338 of 100,000 rows filtered out)" and the like, one line per scan. */
export function describeScans(scans: ScanNode[]): string {
  return scans
    .map((s) => {
      const target = s.index && s.relation ? `${s.relation} using ${s.index}` : (s.relation ?? s.index);
      const removed = s.removed > 0 ? `, ${s.removed.toLocaleString('en')} filtered out` : '';
      return `${s.node} on ${target} (${s.rows.toLocaleString('en')} row${s.rows === 1 ? '' : 's'}${removed})`;
    })
    .join('; ');
}
