import type { InternalClient } from '../../lib/internal-client';
import { demoWorld } from '../../scripts/demo/world';
import { RefusedSubjectCodes } from '../../gateway/refused-subject-codes';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * What the gateway's field guards refuse, and against whom it is audited: a selection that
 * `@include`/`@skip` leaves out by a variable's default is not asked for, so nothing is refused;
 * a field refused about a subject named by code is audited in that subject's trail.
 */
const world = demoWorld({ subjects: 40 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;

const analyst: As = {
  caller: { id: 'analyst', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
  headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' },
};
// Procurement is the finance bureau's matter, not the health commission's: nothing is granted.
const healthOfficer: As = {
  caller: { id: 'officer-health', organisation: 'HEALTH', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-WJ-2026-0003' },
};
const anonymous: As = {};

interface Row {
  outcome: string;
  subject: string | null;
  groups: string[];
}

describe.each(testDatabases)('field guards refusing on $label', (database) => {
  const platform = usePlatform(database, 'guardrefusals', { seedSubjects: world.subjects.length });

  async function audited(as: As, query: string, variables?: Record<string, unknown>) {
    const result = await platform.query(query, variables, as);
    const requestId = requestIdOf(result);
    const rows: { outcome: string; subject_id: string | null; field_groups: string }[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    const entries: Row[] = rows.map((r) => ({ outcome: r.outcome, subject: r.subject_id, groups: r.field_groups === '' ? [] : r.field_groups.split(',') }));
    return { result, denied: entries.filter((e) => e.outcome === 'DENIED'), disclosed: entries.filter((e) => e.outcome === 'DISCLOSED') };
  }

  describe('a selection left out by a variable the request does not send', () => {
    it.each([
      ['@include whose variable defaults to false', 'query($v: Boolean! = false)', '@include(if: $v)'],
      ['@skip whose variable defaults to true', 'query($v: Boolean! = true)', '@skip(if: $v)'],
      ['@include whose nullable variable defaults to false', 'query($v: Boolean = false)', '@include(if: $v)'],
    ])('is neither refused nor audited as denied: %s', async (_label, head, directive) => {
      const { result, denied, disclosed } = await audited(analyst, `${head} { subject(id: "${enterprise.id}") { name creditReports ${directive} { totalCount } } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ subject: { name: enterprise.name } });
      expect(denied).toEqual([]);
      expect(disclosed).toEqual([{ outcome: 'DISCLOSED', subject: enterprise.id, groups: ['SUBJECT_BASICS'] }]);
    });

    it('is refused as before when the variable sent overrides the default', async () => {
      const { result, denied } = await audited(analyst, `query($v: Boolean! = false) { subject(id: "${enterprise.id}") { name creditReports @include(if: $v) { totalCount } } }`, { v: true });
      expect(result.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['subject', 'creditReports']]]);
      expect(denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['REPORTS'] }]);
    });

    it("audits a refusal of a subject never reached against the one the id variable's default names", async () => {
      const { denied } = await audited(healthOfficer, `query($id: ID! = "${enterprise.id}") { subject(id: $id) { name } }`);
      expect(denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['SUBJECT_BASICS'] }]);
    });
  });

  describe('a refused field whose subject is named by code', () => {
    it.each([
      ['a department officer under a matter its department may not use', healthOfficer, 'FORBIDDEN'],
      ['an anonymous caller', anonymous, 'UNAUTHENTICATED'],
    ])('is audited against that subject: %s', async (_label, as, code) => {
      const { result, denied, disclosed } = await audited(as, `{ subjectByCode(code: "${enterprise.identifier}") { name } }`);
      expect(result.data).toEqual({ subjectByCode: null });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      // The caller learns nothing of the subject the gateway looked up for the audit log.
      expect(JSON.stringify(result)).not.toContain(enterprise.id);
      expect(disclosed).toEqual([]);
      expect(denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['SUBJECT_BASICS'] }]);
    });

    it('is audited against the subject of a code sent in a variable, untrimmed and in lower case, or a citizen ID number', async () => {
      const query = `query($code: String!) { subjectByCode(code: $code) { name } }`;
      const lowerCase = await audited(healthOfficer, query, { code: ` ${enterprise.identifier.toLowerCase()} ` });
      expect(lowerCase.denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['SUBJECT_BASICS'] }]);
      const byPerson = await audited(anonymous, query, { code: person.identifier });
      expect(byPerson.denied).toEqual([{ outcome: 'DENIED', subject: person.id, groups: ['SUBJECT_BASICS'] }]);
    });

    it("is audited against the subject a refused record submission names by its code", async () => {
      const { denied } = await audited(
        analyst,
        `mutation($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome } }`,
        { input: { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', documentNumber: 'X-1', decisionDate: '2026-01-01', summary: 'x' } },
      );
      expect(denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['RECORD_SUBMISSION'] }]);
    });

    it('costs the entities subgraph one lookup however many codes the request names, and none for a malformed code', async () => {
      const other = world.subjects.find((s) => s.kind === 'ENTERPRISE' && s.id !== enterprise.id)!;
      let denied: Row[] = [];
      const lookups = await platform.sql.entities.selectsDuring(async () => {
        ({ denied } = await audited(healthOfficer, `{ a: subjectByCode(code: "${enterprise.identifier}") { name } b: subjectByCode(code: "${other.identifier}") { name } }`));
      });
      expect(denied.map((e) => e.subject).sort()).toEqual([enterprise.id, other.id].sort());
      expect(lookups).toBe(1);

      // A check character that does not match: not a code, so not looked up.
      const malformed = enterprise.identifier.slice(0, 17) + (enterprise.identifier.endsWith('0') ? '1' : '0');
      const none = await platform.sql.entities.selectsDuring(async () => {
        ({ denied } = await audited(healthOfficer, `{ subjectByCode(code: "${malformed}") { name } }`));
      });
      expect(denied).toEqual([{ outcome: 'DENIED', subject: null, groups: ['SUBJECT_BASICS'] }]);
      expect(none).toBe(0);
    });

    it('is about nobody when no subject has the code', async () => {
      const { denied } = await audited(healthOfficer, `{ subjectByCode(code: "91130304MA0TEXT12Y") { name } }`);
      expect(denied).toEqual([{ outcome: 'DENIED', subject: null, groups: ['SUBJECT_BASICS'] }]);
    });

    it('asks nothing of the entities subgraph for an answered request', async () => {
      const finance: As = {
        caller: { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
        headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' },
      };
      const query = `{ subjectByCode(code: "${enterprise.identifier}") { name } }`;
      const answered = await platform.sql.entities.selectsDuring(() => platform.query(query, {}, finance));
      const refused = await platform.sql.entities.selectsDuring(() => platform.query(query, {}, healthOfficer));
      // The answer itself reads the subject once; the refusal reads it only for its audit entry.
      expect(answered).toBe(1);
      expect(refused).toBe(1);
    });
  });
});

describe('looking up the subject of a refusal by its code', () => {
  const failing = { call: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as InternalClient;

  it('leaves the refusal about nobody when the entities subgraph cannot answer', async () => {
    const refusals = [{ subjectCode: enterprise.identifier, groups: ['SUBJECT_BASICS'] }];
    await expect(new RefusedSubjectCodes(failing, 'http://127.0.0.1:9/graphql').resolve(refusals, 'r-1')).resolves.toBeUndefined();
    expect(refusals).toEqual([{ subjectCode: enterprise.identifier, groups: ['SUBJECT_BASICS'] }]);
  });

  it('takes no answer for an id that could not be one', async () => {
    const client = { call: () => Promise.resolve({ c0: { id: 'x'.repeat(40) } }) } as unknown as InternalClient;
    const refusals: { subjectId?: string; subjectCode: string; groups: string[] }[] = [{ subjectCode: enterprise.identifier, groups: [] }];
    await new RefusedSubjectCodes(client, 'http://127.0.0.1:9/graphql').resolve(refusals, 'r-2');
    expect(refusals[0].subjectId).toBeUndefined();
  });
});
