import type { Caller } from '../../lib/access/identity';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { maskCitizenIdNumber } from '../../lib/identifiers';
import { demoConsents } from '../../scripts/demo/consents';
import { demoWorld, type DemoSubject } from '../../scripts/demo/world';
import { ConsentRepository } from '../../subgraphs/entities/consent.repository';
import type { Consent } from '../../subgraphs/entities/entities/consent.entity';
import { testDatabases } from '../helpers/databases';
import { type Connection, requestIdOf } from '../helpers/graphql';
import { usePlatform, type As } from '../helpers/platform';

/**
 * A grantee (a bank, a provider, an enterprise or a person given a consent) finds the consents
 * given to it, to name one in x-credit-consent and to see whether it still holds (probe finding
 * 3): its own only, as the gateway matches a consent to its reader, each read audited in its
 * subject's trail.
 */
const world = demoWorld({ subjects: 16 });
const subjects = world.subjects;
const counterparty = subjects[2];
const bankA = 'BANK_GRANTEE_A';
const bankB = 'BANK_GRANTEE_B';
/** Another reader than bank A for the gateway, which compares a bank's id character for character. */
const bankALowerCase = bankA.toLowerCase();

const bank = (organisation: string, headers: Record<string, string> = {}): As => ({
  caller: { id: `user-${organisation}`, organisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
  headers,
});
const userOf = (subject: DemoSubject): Caller => ({
  id: `user-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id,
});

const LIST = /* GraphQL */ `
  query Given($statuses: [ConsentStatus!], $first: Int, $after: String) {
    consentsGivenToCaller(statuses: $statuses, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id subject { id } subjectName subjectCode purpose validFrom validUntil grantedAt revokedAt status } }
    }
  }
`;

interface Given {
  id: string;
  subject: { id: string } | null;
  subjectName: string;
  subjectCode: string;
  purpose: string;
  validFrom: string;
  validUntil: string;
  grantedAt: string;
  revokedAt: string | null;
  status: string;
}

type Listed = { consentsGivenToCaller: Connection<Given> | null };

describe.each(testDatabases)('Query.consentsGivenToCaller on $label', (database) => {
  const platform = usePlatform(database, 'consentsgiven', { seedSubjects: subjects.length });
  const today = todayInDistrict();
  /** Bank A's consents as the list should show them, newest first. */
  let expected: Given[] = [];
  const ids = { bankB: '', lowerCase: '', bankNamedByCode: '' };

  beforeAll(async () => {
    const consents = new ConsentRepository(platform.databases.entities);
    const window = { userId: 'window-sun', organisation: 'CREDIT_OFFICE' };
    const grant = (subject: DemoSubject, granteeOrganisation: string, validFrom = today, validUntil = addDays(today, 60), now = new Date()) =>
      consents.grant({ subjectId: subject.id, granteeOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom, validUntil }, window, now);
    /** Granted `days` ago, valid from then until `validUntil`. */
    const grantedBefore = (days: number, validUntil: string) => ({ validFrom: addDays(today, -days), validUntil, now: new Date(Date.now() - days * 86_400_000) });
    // Per subject (by index): the status its consent to bank A has today and, unless the default
    // (from today for 60 days), its terms. Subjects 14 and 15 are the edges of validUntil, which
    // is included: a consent is ACTIVE on that day and EXPIRED from the next.
    const consentsToBankA: [index: number, status: string, terms?: { validFrom: string; validUntil: string; now?: Date }][] = [
      [5, 'ACTIVE'],
      [6, 'ACTIVE'],
      [7, 'REVOKED'],
      [8, 'EXPIRED', grantedBefore(40, addDays(today, -35))],
      [9, 'NOT_YET_VALID', { validFrom: addDays(today, 10), validUntil: addDays(today, 40) }],
      [10, 'ACTIVE'],
      [11, 'ACTIVE'],
      [14, 'ACTIVE', grantedBefore(30, today)],
      [15, 'EXPIRED', grantedBefore(30, addDays(today, -1))],
    ];
    const made: [Consent, string][] = [];
    // One at a time, a millisecond apart at least, so that the newest-first order is the order made.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 3));
    for (const [index, status, terms] of consentsToBankA) {
      const consent = await grant(subjects[index], bankA, terms?.validFrom, terms?.validUntil, terms?.now);
      made.push([status === 'REVOKED' ? await consents.revoke(consent.id, '贷款申请已撤回', window) : consent, status]);
      await pause();
    }
    expected = made.reverse().map(([c, status]) => {
      const subject = subjects.find((s) => s.id === c.subjectId)!;
      return {
        id: c.id,
        subject: { id: subject.id },
        subjectName: subject.name,
        subjectCode: subject.kind === 'NATURAL_PERSON' ? maskCitizenIdNumber(subject.identifier) : subject.identifier,
        purpose: 'FINANCIAL_SERVICES',
        validFrom: c.validFrom,
        validUntil: c.validUntil,
        grantedAt: c.grantedAt.toISOString(),
        revokedAt: c.revokedAt?.toISOString() ?? null,
        status,
      };
    });
    ids.bankB = (await grant(subjects[5], bankB)).id;
    ids.lowerCase = (await grant(subjects[12], bankALowerCase)).id;
    // A financial institution's id is taken as given: one that is an enterprise's code names a
    // bank, not that enterprise, whose tokens carry its kind too.
    ids.bankNamedByCode = (await grant(subjects[13], counterparty.identifier)).id;
  });

  async function list(as: As, variables: Record<string, unknown> = {}) {
    return await platform.query<Listed>(LIST, variables, as);
  }

  it('lists exactly the consents naming the bank, newest first, each with its subject, terms and status today', async () => {
    const result = await list(bank(bankA), { first: 100 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.consentsGivenToCaller?.edges.map((e) => e.node)).toEqual(expected);
    expect(result.data?.consentsGivenToCaller?.totalCount).toBe(expected.length);
    expect(result.data?.consentsGivenToCaller?.pageInfo.hasNextPage).toBe(false);
  });

  it("lists another bank's only its own, and a bank whose id differs in letter case only its own", async () => {
    const other = await list(bank(bankB));
    expect(other.data?.consentsGivenToCaller?.edges.map((e) => e.node.id)).toEqual([ids.bankB]);
    const lowerCase = await list(bank(bankALowerCase));
    expect(lowerCase.data?.consentsGivenToCaller?.edges.map((e) => e.node.id)).toEqual([ids.lowerCase]);
    const nobody = await list(bank('BANK_WITH_NO_CONSENT'));
    expect(nobody.errors).toBeUndefined();
    expect(nobody.data?.consentsGivenToCaller).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('lists an enterprise the consents given to it as an enterprise, not a bank named by its code', async () => {
    const result = await list({ caller: userOf(counterparty) });
    expect(result.errors).toBeUndefined();
    const listed = result.data?.consentsGivenToCaller?.edges.map((e) => e.node);
    expect(listed?.map((c) => [c.id, c.purpose, c.subjectName])).toEqual([[demoConsents.dueDiligence, 'COMMERCIAL_DUE_DILIGENCE', subjects[0].name]]);
    expect(JSON.stringify(result.data)).not.toContain(ids.bankNamedByCode);
  });

  it.each([
    [['ACTIVE'], ['ACTIVE']],
    [['EXPIRED'], ['EXPIRED']],
    [['NOT_YET_VALID'], ['NOT_YET_VALID']],
    [['REVOKED'], ['REVOKED']],
    [['EXPIRED', 'NOT_YET_VALID'], ['EXPIRED', 'NOT_YET_VALID']],
    [[], []],
  ])('filters by the statuses %j as of today', async (statuses, shown) => {
    const result = await list(bank(bankA), { statuses });
    expect(result.errors).toBeUndefined();
    const want = expected.filter((c) => shown.includes(c.status)).map((c) => [c.id, c.status]);
    expect(result.data?.consentsGivenToCaller?.edges.map((e) => [e.node.id, e.node.status])).toEqual(want);
    expect(result.data?.consentsGivenToCaller?.totalCount).toBe(want.length);
  });

  it('pages through the list, in statements that do not grow with the page, with cursors of its own', async () => {
    const walked: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: Awaited<ReturnType<typeof list>> = await list(bank(bankA), { first: 2, after });
      expect(result.errors).toBeUndefined();
      const connection = result.data!.consentsGivenToCaller!;
      expect(connection.totalCount).toBe(expected.length);
      walked.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(walked).toEqual(expected.map((c) => c.id));

    const statements = async (first: number) => await platform.sql.entities.selectsDuring(async () => expect((await list(bank(bankA), { first })).errors).toBeUndefined());
    expect(await statements(1)).toBe(await statements(7));
    expect(await statements(7)).toBeLessThanOrEqual(2);

    // A cursor of bank A's list opens nothing in bank B's.
    const first = await list(bank(bankA), { first: 1 });
    const foreign = await list(bank(bankB), { first: 1, after: first.data!.consentsGivenToCaller!.pageInfo.endCursor });
    expect(foreign.data).toEqual({ consentsGivenToCaller: null });
    expect(foreign.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it("audits each listed consent in its subject's trail, under no purpose, naming the consent", async () => {
    // Revoked and expired consents among them: the subject, which withdrew its consent, finds the
    // listing by that consent's id, not as a read under no basis (probe finding).
    const result = await list(bank(bankA), { first: 100 });
    expect(result.errors).toBeUndefined();
    const rows: { organisation: string; subject_id: string; field_groups: string; outcome: string; matter: string | null; consent_id: string | null }[] = await platform.databases.audit.query(
      'SELECT organisation, subject_id, field_groups, outcome, matter, consent_id FROM audit_entry WHERE request_id = ? ORDER BY consent_id',
      [requestIdOf(result)],
    );
    const listed = expected.map((c) => ({ consentId: c.id, subjectId: c.subject!.id })).sort((a, b) => (a.consentId < b.consentId ? -1 : 1));
    expect(expected.map((c) => c.status)).toEqual(expect.arrayContaining(['REVOKED', 'EXPIRED']));
    expect(rows).toEqual(listed.map(({ consentId, subjectId }) => ({ organisation: bankA, subject_id: subjectId, field_groups: 'CONSENTS_RECEIVED', outcome: 'DISCLOSED', matter: null, consent_id: consentId })));
  });

  it('audits two consents of one subject on the page as two entries, each naming its own', async () => {
    const consents = new ConsentRepository(platform.databases.entities);
    const window = { userId: 'window-sun', organisation: 'CREDIT_OFFICE' };
    const terms = { subjectId: subjects[3].id, granteeOrganisation: 'BANK_GRANTEE_TWICE', granteeKind: 'FINANCIAL_INSTITUTION' as const, purpose: 'FINANCIAL_SERVICES', validFrom: today, validUntil: addDays(today, 30) };
    const made = [(await consents.grant(terms, window)).id, (await consents.grant({ ...terms, validUntil: addDays(today, 20) }, window)).id].sort();
    const twice = await list(bank('BANK_GRANTEE_TWICE'));
    expect(twice.errors).toBeUndefined();
    const rows: { subject_id: string; consent_id: string | null }[] = await platform.databases.audit.query('SELECT subject_id, consent_id FROM audit_entry WHERE request_id = ? ORDER BY consent_id', [requestIdOf(twice)]);
    expect(rows).toEqual(made.map((consentId) => ({ subject_id: subjects[3].id, consent_id: consentId })));
  });

  it("gives the subject's id to read it by under the consent, and nothing of it beyond name and code without one", async () => {
    const active = expected.find((c) => c.status === 'ACTIVE')!;
    const basics = await platform.query<{ consentsGivenToCaller: { edges: { node: { subject: { name: string | null } | null } }[] } | null }>(
      `{ consentsGivenToCaller(first: 1) { edges { node { subject { name } } } } }`,
      {},
      bank(bankA),
    );
    expect(basics.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS' })]);

    const read = await platform.query<{ subject: { name: string } | null }>(
      `query($id: ID!) { subject(id: $id) { name } }`,
      { id: active.subject!.id },
      bank(bankA, { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': active.id }),
    );
    expect(read.errors).toBeUndefined();
    expect(read.data?.subject?.name).toBe(active.subjectName);
  });

  it.each([
    ['a bank reading under a consent', () => bank(bankA, { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': expected.find((c) => c.status === 'ACTIVE')!.id })],
    ["a subject's own inquiry", (): As => ({ caller: userOf(counterparty), headers: { 'x-credit-matter': 'SELF_INQUIRY' } })],
  ])('refuses %s, a request scoped to one subject, and audits nothing as read', async (_label, as) => {
    const result = await list(as());
    expect(result.data).toEqual({ consentsGivenToCaller: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' })]);
    expect(await platform.databases.audit.query("SELECT outcome FROM audit_entry WHERE request_id = ? AND outcome = 'DISCLOSED'", [requestIdOf(result)])).toEqual([]);
  });

  it.each(['REVOKED', 'EXPIRED', 'NOT_YET_VALID'])(
    'refuses a bank reading under its own %s consent as under one that holds (OUTSIDE_SUBJECT_SCOPE), saying it reads the list with no purpose and why the consent was refused',
    async (status) => {
      const consent = expected.find((c) => c.status === status)!;
      const result = await list(bank(bankA, { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': consent.id }));
      expect(result.status).toBe(200);
      expect(result.data).toEqual({ consentsGivenToCaller: null });
      expect(result.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual([
        { path: ['consentsGivenToCaller'], extensions: { code: 'FORBIDDEN', group: 'CONSENTS_RECEIVED', field: 'Query.consentsGivenToCaller', problem: 'OUTSIDE_SUBJECT_SCOPE' } },
      ]);
      const why = status.toLowerCase().replaceAll('_', ' ');
      // The consent's refusal gives its dates (b2c76c2): "is expired: it was valid from … through …".
      const message = result.errors?.[0].message ?? '';
      expect(message.startsWith(`Query.consentsGivenToCaller needs the field group CONSENTS_RECEIVED, which ${bankA} reads with no purpose: send it without x-credit-matter and x-credit-consent (the request's purpose was refused besides: consent ${consent.id} is ${why}: `)).toBe(true);
      expect(message.endsWith(`from ${consent.validFrom} through ${consent.validUntil})`) || message.endsWith(`from ${consent.validFrom} through ${consent.validUntil}))`)).toBe(true);
      expect(await platform.databases.audit.query("SELECT outcome FROM audit_entry WHERE request_id = ? AND outcome = 'DISCLOSED'", [requestIdOf(result)])).toEqual([]);
      // As the message says: without the purpose headers the same token reads the list.
      const without = await list(bank(bankA));
      expect(without.errors).toBeUndefined();
      expect(without.data?.consentsGivenToCaller?.totalCount).toBe(expected.length);
    },
  );

  it("refuses a bank naming another bank's consent the same way, without telling whose it is", async () => {
    const result = await list(bank(bankA, { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': ids.bankB }));
    expect(result.data).toEqual({ consentsGivenToCaller: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS_RECEIVED', problem: 'OUTSIDE_SUBJECT_SCOPE' })]);
    expect(result.errors?.[0].message).toMatch(/send it without x-credit-matter and x-credit-consent \(the request's purpose was refused besides: consent \S+ is no consent given to BANK_GRANTEE_A\)$/);
  });

  it('refuses a department, which reads under its matter and is given no consent, before anything is fetched', async () => {
    const finance: As = { caller: { id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };
    const refused = await list(finance);
    expect(refused.data).toEqual({ consentsGivenToCaller: null });
    expect(refused.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS_RECEIVED', field: 'Query.consentsGivenToCaller' })]);
  });
});
