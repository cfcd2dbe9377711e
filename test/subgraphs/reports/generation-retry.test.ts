import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { seedRecords } from '../../../subgraphs/records/seed';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import type { Peer } from '../../../subgraphs/reports/peers';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { EntitiesSubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import { testSigningKey } from '../../helpers/identity';
import { useSubgraph } from '../../helpers/subgraph';
import { financeOfficer, identityOf } from '../providers/callers';

/**
 * A report generation sent again (a client retrying after its answer was lost, a double-clicked
 * button): under the same `idempotencyKey`, by the same user of the same organisation, it answers
 * the report first generated, unchanged, and stores nothing; the answer is a disclosure of that
 * report to the caller again, audited as the first was. The same key sent with another subject,
 * or under another matter or case, is IDEMPOTENCY_KEY_REUSED, as for `runCreditCheck`.
 */
const world = demoWorld({ subjects: 20 });
const enterprise = world.subjects[0];
// Holds a serious-dishonesty listing: its report prints a record of a list.
const listed = world.subjects[3];
const other = world.subjects.find((s, i) => i > 3 && s.kind === enterprise.kind)!;
const procurementCase = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' };
const officer = identityOf(financeOfficer, procurementCase);
const colleague = identityOf({ ...financeOfficer, id: 'officer-colleague' }, procurementCase);
const taxation: Caller = { id: 'officer-test', organisation: 'TAXATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const taxOfficer = identityOf(taxation, { matter: 'TAX_INCENTIVES', caseNumber: 'BDH-SW-2026-0001' });
const itself = identityOf({ id: 'self-user', organisation: enterprise.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: enterprise.id }, { matter: 'SELF_INQUIRY' });

const generate = /* GraphQL */ `
  mutation ($subjectId: ID!, $key: String) {
    generateCreditReport(subjectId: $subjectId, idempotencyKey: $key) {
      id reportNumber verificationCode documentSha256 registeredAt registeredByOrganisation printableUrl
      sections { code entryCount underObjectionCount }
    }
  }
`;

interface Generated {
  id: string;
  reportNumber: string;
  verificationCode: string;
  documentSha256: string;
  registeredAt: string;
  registeredByOrganisation: string;
  printableUrl: string;
  sections: { code: string; entryCount: number; underObjectionCount: number }[];
}

describe.each(testDatabases)('a report generation sent again, on $label', (database) => {
  const urls: Partial<Record<Peer, string>> = {};
  const reports = useSubgraph(createReportsSubgraph({ url: (peer) => urls[peer] ?? 'http://127.0.0.1:9/graphql' }), database, 'genretry_reports');
  const records = useSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(() => ({ url: entities.url(), signingKey: testSigningKey })) }), database, 'genretry_records');
  const entities = useSubgraph(entitiesSubgraph, database, 'genretry_entities');
  let sequence = 0;

  beforeAll(async () => {
    urls.records = records.url();
    urls.entities = entities.url();
    await seedEntities(entities.db(), world);
    await seedRecords(records.db(), world);
  });

  /** A key of the test's own, as a front end makes one per attempt. */
  const newKey = () => `attempt-${database.label}-${++sequence}`;
  const generateAs = (identity: RequestIdentity, subjectId: string, key?: string | null) => reports.queryAs<{ generateCreditReport: Generated | null }>(identity, generate, { subjectId, key });
  const stored = async () => {
    const [row] = (await reports.db().query("SELECT COUNT(*) AS n FROM credit_report WHERE source = 'DISTRICT_PLATFORM'")) as { n: number | string }[];
    const [parts] = (await reports.db().query('SELECT COUNT(*) AS n FROM credit_report_snapshot_part')) as { n: number | string }[];
    return { reports: Number(row.n), parts: Number(parts.n) };
  };

  it('answers ten sends of one attempt by a department officer with one report, unchanged, audited each time as the first', async () => {
    const before = await stored();
    const key = newKey();
    const first = await generateAs(officer, listed.id, key);
    expect(first.errors).toBeUndefined();
    // It prints a listing: the first answer disclosed the list it is on, and so does each retry.
    expect(first.data!.generateCreditReport!.sections.find((s) => s.code === 'SERIOUS_DISHONESTY')!.entryCount).toBeGreaterThan(0);
    const firstGroups = first.extensions?.disclosures;
    expect(firstGroups).toEqual([{ subjectId: listed.id, groups: expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS']) }]);
    for (let i = 0; i < 9; i++) {
      const again = await generateAs(officer, listed.id, key);
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect(normalised(again.extensions?.disclosures)).toEqual(normalised(firstGroups));
    }
    expect(await stored()).toEqual({ reports: before.reports + 1, parts: before.parts + (await partsOf(first.data!.generateCreditReport!.id)) });
  });

  it('answers ten sends of one attempt by the subject itself with one report, sent one after another or all at once', async () => {
    const before = await stored();
    const key = newKey();
    const first = await generateAs(itself, enterprise.id, key);
    expect(first.errors).toBeUndefined();
    expect(first.data!.generateCreditReport!.registeredByOrganisation).toBe(enterprise.identifier);
    const sequential = [];
    for (let i = 0; i < 9; i++) sequential.push(await generateAs(itself, enterprise.id, key));
    expect(sequential.map((a) => a.errors)).toEqual(Array(9).fill(undefined));
    expect(sequential.map((a) => a.data)).toEqual(Array(9).fill(first.data));
    for (const again of sequential) expect(normalised(again.extensions?.disclosures)).toEqual(normalised(first.extensions?.disclosures));
    expect((await stored()).reports).toBe(before.reports + 1);

    // Ten double-clicks at once: each racing past the look-up, the first stored wins and the others answer it.
    const atOnce = newKey();
    const answers = await Promise.all(Array.from({ length: 10 }, () => generateAs(itself, enterprise.id, atOnce)));
    expect(answers.map((a) => a.errors)).toEqual(Array(10).fill(undefined));
    expect(new Set(answers.map((a) => a.data!.generateCreditReport!.reportNumber)).size).toBe(1);
    for (const answer of answers) expect(answer.extensions?.disclosures).toEqual([{ subjectId: enterprise.id, groups: expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS']) }]);
    expect((await stored()).reports).toBe(before.reports + 2);
  });

  it('answers ten sends at once by a department officer with one report', async () => {
    const before = await stored();
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 10 }, () => generateAs(officer, enterprise.id, key)));
    expect(answers.map((a) => a.errors)).toEqual(Array(10).fill(undefined));
    expect(new Set(answers.map((a) => a.data!.generateCreditReport!.id)).size).toBe(1);
    expect((await stored()).reports).toBe(before.reports + 1);
  });

  it('generates a report per call without a key, a blank key being none', async () => {
    const before = await stored();
    const answers = [await generateAs(officer, enterprise.id), await generateAs(officer, enterprise.id, null), await generateAs(officer, enterprise.id, '  ')];
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined]);
    expect(new Set(answers.map((a) => a.data!.generateCreditReport!.reportNumber)).size).toBe(3);
    expect((await stored()).reports).toBe(before.reports + 3);
  });

  it('keeps a key to the user and organisation that sent it: a colleague or another department with the same key generates its own', async () => {
    const key = newKey();
    const mine = (await generateAs(officer, enterprise.id, key)).data!.generateCreditReport!;
    const colleagues = await generateAs(colleague, enterprise.id, key);
    expect(colleagues.errors).toBeUndefined();
    expect(colleagues.data!.generateCreditReport!.id).not.toBe(mine.id);
    // The same user id acting for another department is another caller.
    const taxes = await generateAs(taxOfficer, enterprise.id, key);
    expect(taxes.errors).toBeUndefined();
    expect(taxes.data!.generateCreditReport!.id).not.toBe(mine.id);
    expect((await generateAs(officer, enterprise.id, key)).data!.generateCreditReport!.id).toBe(mine.id);
  });

  it('takes a key trimmed, as other typed text, and refuses one that is no key', async () => {
    const key = newKey();
    const first = await generateAs(officer, enterprise.id, key);
    const spaced = await generateAs(officer, enterprise.id, ` ${key} `);
    expect(spaced.data).toEqual(first.data);
    const before = await stored();
    for (const wrong of ['two words', 'k'.repeat(65), 'clé']) {
      const refused = await generateAs(officer, enterprise.id, wrong);
      expect(refused.data).toEqual({ generateCreditReport: null });
      expect(refused.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'idempotencyKey', problem: 'IDEMPOTENCY_KEY_MALFORMED' }]);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses the key sent with another subject, or under another matter or case, with IDEMPOTENCY_KEY_REUSED, storing nothing', async () => {
    const key = newKey();
    const first = await generateAs(officer, enterprise.id, key);
    expect(first.errors).toBeUndefined();
    const before = await stored();
    for (const [identity, subjectId] of [
      [officer, other.id],
      [identityOf(financeOfficer, { ...procurementCase, caseNumber: 'BDH-CG-2026-0118' }), enterprise.id],
    ] as const) {
      const refused = await generateAs(identity, subjectId, key);
      expect(refused.data).toEqual({ generateCreditReport: null });
      expect(refused.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'idempotencyKey', problem: 'IDEMPOTENCY_KEY_REUSED' }]);
      expect(refused.errors?.[0].message).toBe(`officer-test already generated a report of another subject, or under another matter or case, under the key ${key}: make a new key for each report, and send it again only to retry that report`);
      // Nothing of the report it names is told: neither its subject nor its number.
      expect(JSON.stringify(refused)).not.toContain(first.data!.generateCreditReport!.reportNumber);
      expect(refused.extensions?.disclosures).toBeUndefined();
    }
    expect(await stored()).toEqual(before);
  });

  // An identity provider may name an officer's account by the officer's citizen ID number: the
  // refusal named the token's sub whole, where every message masks a person's number.
  it('names a user whose sub is a citizen ID number by the number masked, in the refusal of a key sent again', async () => {
    const numbered = identityOf({ ...financeOfficer, id: '130304199406220815' }, procurementCase);
    const key = newKey();
    expect((await generateAs(numbered, enterprise.id, key)).errors).toBeUndefined();
    const refused = await generateAs(numbered, other.id, key);
    expect(refused.errors?.map((e) => e.extensions?.problem)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(refused.errors?.[0].message).toMatch(/^1303\*{10}0815 already generated a report of another subject/);
    expect(JSON.stringify(refused)).not.toContain('130304199406220815');
  });

  async function partsOf(reportId: string): Promise<number> {
    const [row] = (await reports.db().query('SELECT COUNT(*) AS n FROM credit_report_snapshot_part WHERE report_id = ?', [reportId])) as { n: number | string }[];
    return Number(row.n);
  }
});

/** Disclosures with their groups in order, to compare two answers' audits. */
function normalised(disclosures: unknown): unknown {
  return (disclosures as { subjectId: string; groups: string[] }[] | undefined)?.map((d) => ({ ...d, groups: [...d.groups].sort() }));
}
