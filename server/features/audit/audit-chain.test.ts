import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, patientBody, type TestContext } from '../../test/harness.ts';
import { eventually } from '../../test/sockets.ts';
import { sealAuditRows, verifyAuditChain } from './audit.chain.ts';

let t: TestContext;
const key = randomBytes(32);

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t?.close());

async function activity() {
  const clinic = await t.createClinic();
  const secretary = await clinic.addUser('secretary');
  for (let i = 0; i < 3; i++) expect((await secretary.request('POST', '/api/patients', patientBody())).status).toBe(201);
}

/** Tampering needs the triggers out of the way, as an attacker with the owner's password would do. */
async function asAttacker(statement: string) {
  await t.owner.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
  try {
    await t.owner.query(statement);
  } finally {
    await t.owner.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
  }
}

/**
 * Seals until no audit row is left out. A row can be sealed only once every older transaction on the
 * whole PostgreSQL server has finished, and the other test files' databases share that server.
 */
async function sealEverything(): Promise<number> {
  let sealed = 0;
  await eventually(async () => {
    sealed += await sealAuditRows(t.db, key);
    const { rows } = await t.owner.query(
      'SELECT NOT EXISTS (SELECT 1 FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)) AS done',
    );
    return rows[0].done;
  }, 'every audit row to be sealed');
  return sealed;
}

describe('audit hash chain', () => {
  it('seals every row once and verifies an untouched trail', async () => {
    await activity();
    const sealed = await sealEverything();
    expect(sealed).toBeGreaterThan(3);
    expect(await sealAuditRows(t.db, key)).toBe(0);
    const report = await verifyAuditChain(t.url, key);
    expect(report.problems).toEqual([]);
    expect(report.checked).toBe(sealed);
  });

  it('detects a changed row', async () => {
    await activity();
    await sealEverything();
    const { rows } = await t.owner.query("SELECT id FROM audit_log WHERE action = 'patient.create' ORDER BY id DESC LIMIT 1");
    await asAttacker(`UPDATE audit_log SET actor_id = NULL WHERE id = ${rows[0].id}`);
    const report = await verifyAuditChain(t.url, key);
    expect(report.problems.some((p) => p.includes(`audit row ${rows[0].id}`) && p.includes('changed'))).toBe(true);
    await asAttacker(`DELETE FROM audit_log WHERE id = ${rows[0].id}`);
    const afterDelete = await verifyAuditChain(t.url, key);
    expect(afterDelete.problems.some((p) => p.includes(`audit row ${rows[0].id}`) && p.includes('deleted'))).toBe(true);
  });

  it('detects a row slipped into the sealed part, and a chain rebuilt without the key', async () => {
    await activity();
    await sealEverything();
    const { rows } = await t.owner.query('SELECT id, clinic_id FROM audit_log ORDER BY id LIMIT 1');
    await t.owner.query(
      `INSERT INTO audit_log (id, clinic_id, action, outcome, xid) OVERRIDING SYSTEM VALUE VALUES (0, $1, 'forged', 'success', '1'::xid8)`,
      [rows[0].clinic_id],
    );
    const report = await verifyAuditChain(t.url, key);
    expect(report.problems).toContain('audit row 0 was inserted into the sealed part of the trail');
    const wrongKey = await verifyAuditChain(t.url, randomBytes(32));
    expect(wrongKey.problems.length).toBeGreaterThan(0);
  });
});
