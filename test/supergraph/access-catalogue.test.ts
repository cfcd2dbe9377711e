import { organisationKinds, roles, type Caller, type Purpose } from '../../lib/access/identity';
import { decideGrants, purposeGrants } from '../../lib/access/policy';
import { departments, findDepartment } from '../../lib/catalogue/departments';
import { matters, type Matter } from '../../lib/catalogue/matters';
import { maskCitizenIdNumber } from '../../lib/identifiers';
import { subgraphNames } from '../../schema/subgraphs';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * The access catalogue through the gateway: `matters` is the catalogue the gateway decides by, and
 * `viewer` is what the gateway's policy (`decideGrants`) gives the caller, so that a front end's
 * matter selector offers what the gateway then accepts. Neither is about a subject: no audit
 * entry, no SQL.
 */

const MATTERS = /* GraphQL */ `
  query Matters {
    matters {
      code name nameZh policySection kind creditUse subjectKinds caseNumberRequired consentRequired
      organisationKinds roles departments { code nameZh } fieldGroups
    }
  }
`;

const VIEWER = /* GraphQL */ `
  query Viewer {
    viewer {
      userId organisation organisationKind role department { code nameZh } standingFieldGroups
      matters { matter { code nameZh caseNumberRequired consentRequired } fieldGroups }
    }
  }
`;

interface ViewerAnswer {
  viewer: {
    userId: string;
    organisation: string;
    organisationKind: string;
    role: string;
    department: { code: string; nameZh: string } | null;
    standingFieldGroups: string[];
    matters: { matter: { code: string; nameZh: string; caseNumberRequired: boolean; consentRequired: boolean }; fieldGroups: string[] }[];
  } | null;
}

/** A request naming `matter` with whatever else it needs, as a caller would send it. */
const namedInFull = (matter: Matter): Purpose => ({ matter: matter.code, caseNumber: 'BDH-VIEWER-1', consentId: 'a-consent' });

/** The matters the gateway's policy lets `caller` name, each with the groups it decides for such a request. */
function expectedMatters(caller: Caller) {
  return matters.flatMap((matter) => {
    const decision = decideGrants(caller, namedInFull(matter));
    return decision.purposeRefused
      ? []
      : [{ matter: { code: matter.code, nameZh: matter.nameZh, caseNumberRequired: matter.caseNumberRequired, consentRequired: matter.consentRequired }, fieldGroups: decision.groups }];
  });
}

function expectedViewer(caller: Caller, organisation = caller.organisation) {
  const department = caller.organisationKind === 'DEPARTMENT' ? findDepartment(caller.organisation)! : null;
  return {
    userId: caller.id,
    organisation,
    organisationKind: caller.organisationKind,
    role: caller.role,
    department: department && { code: department.code, nameZh: department.nameZh },
    standingFieldGroups: decideGrants(caller, null).groups,
    matters: expectedMatters(caller),
  };
}

const financeOfficer: As = {
  caller: { id: 'officer-viewer', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-VIEWER-1' },
};
const analyst: As = {
  caller: { id: 'analyst-viewer', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
  headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' },
};
const bank: As = { caller: { id: 'banker-viewer', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' } };
const registryAdmin: As = { caller: { id: 'registrar-viewer', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' } };
const personNumber = '11010519491231002X';
const person: As = { caller: { id: 'person-viewer', organisation: personNumber, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER' } };

const [ownSubject] = demoWorld({ subjects: 1 }).subjects;
const subjectItself: As = {
  caller: { id: 'self-viewer', organisation: ownSubject.identifier, organisationKind: ownSubject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: ownSubject.id },
  headers: { 'x-credit-matter': 'SELF_INQUIRY' },
};

describe.each(testDatabases)('the access catalogue (matters, viewer) through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'accesscatalogue', { seedSubjects: 1 });

  /** Sends `query` as `as`, and reads back the audit entries the request left. */
  async function withEntries<T>(query: string, as: As) {
    const result = await platform.query<T>(query, {}, as);
    const requestId = requestIdOf(result);
    const entries: unknown[] = await platform.databases.audit.query('SELECT outcome FROM audit_entry WHERE request_id = ?', [requestId]);
    return { result, entries };
  }

  it('lists every matter of the catalogue, with what the policy says of each, to anyone', async () => {
    const { result, entries } = await withEntries<{ matters: Record<string, unknown>[] }>(MATTERS, {});
    expect(result.errors).toBeUndefined();
    expect(entries).toEqual([]);
    const named = (codes: readonly { code: string }[]) => codes.map((d) => d.code);
    expect(result.data!.matters.map((m) => ({ ...m, departments: named(m.departments as { code: string }[]) }))).toEqual(
      matters.map((m) => ({
        code: m.code,
        name: m.name,
        nameZh: m.nameZh,
        policySection: m.source,
        kind: m.kind,
        creditUse: m.creditUse ?? null,
        subjectKinds: [...m.subjectKinds],
        caseNumberRequired: m.caseNumberRequired,
        consentRequired: m.consentRequired,
        organisationKinds: [...m.users.organisationKinds],
        roles: [...m.users.roles],
        // The departments the gateway lets name it: those whose callers, in one of its roles, are granted under it.
        departments: departments.filter((d) => m.users.roles.some((role) => !decideGrants({ id: 'd', organisation: d.code, organisationKind: 'DEPARTMENT', role }, namedInFull(m)).purposeRefused)).map((d) => d.code),
        fieldGroups: [...(purposeGrants[m.code] ?? [])],
      })),
    );
    // The catalogue's own words for a few, so that the comparison above is not two readings of one mistake.
    const byCode = new Map(result.data!.matters.map((m) => [m.code, m]));
    expect(named(byCode.get('GOVERNMENT_PROCUREMENT')!.departments as { code: string }[])).toEqual(['FINANCE']);
    expect(byCode.get('FINANCIAL_SERVICES')).toMatchObject({ departments: [], consentRequired: true, caseNumberRequired: false });
    const relevant = named(byCode.get('AWARDS_AND_RATINGS')!.departments as { code: string }[]);
    expect(relevant).toContain('PEOPLES_COURT');
    expect(relevant).not.toContain('CREDIT_OFFICE');
    expect(relevant).toHaveLength(departments.length - 1);
  });

  it.each([
    ['a finance officer', financeOfficer, ['GOVERNMENT_PROCUREMENT', 'STATE_ASSET_TRANSFER', 'FISCAL_SUPPORT']],
    ['an analyst', analyst, ['STATISTICAL_ANALYSIS']],
    ['a bank', bank, ['FINANCIAL_SERVICES']],
    ['a registry admin', registryAdmin, []],
  ] as const)('tells %s who it is, what it holds and the matters it may name, as decideGrants does', async (_, as, some) => {
    const { result, entries } = await withEntries<ViewerAnswer>(VIEWER, as);
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toEqual(expectedViewer(as.caller!));
    expect(entries).toEqual([]);
    const codes = result.data!.viewer!.matters.map((m) => m.matter.code);
    expect(codes).toEqual(expect.arrayContaining([...some]));
    if (!some.length) expect(codes).toEqual([]);
  });

  it('answers the same whatever purpose the request names, refused ones included', async () => {
    const officer = financeOfficer.caller!;
    const answers = await Promise.all(
      [{}, financeOfficer.headers!, { 'x-credit-matter': 'PERSONNEL_REVIEW', 'x-credit-case': 'X-1' }, { 'x-credit-matter': 'NO_SUCH_MATTER' }].map((headers) => withEntries<ViewerAnswer>(VIEWER, { caller: officer, headers })),
    );
    for (const { result, entries } of answers) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.viewer).toEqual(expectedViewer(officer));
      expect(entries).toEqual([]);
    }
    // Not every matter: what it may not name, it is not offered.
    expect(answers[0].result.data!.viewer!.matters.map((m) => m.matter.code)).not.toContain('PERSONNEL_REVIEW');
  });

  it("masks a person's citizen ID number, and offers it no self-inquiry without its subject in the token", async () => {
    const { result, entries } = await withEntries<ViewerAnswer>(VIEWER, person);
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toEqual(expectedViewer(person.caller!, maskCitizenIdNumber(personNumber)));
    expect(result.data!.viewer!.matters.map((m) => m.matter.code)).toEqual(['COMMERCIAL_DUE_DILIGENCE']);
    expect(entries).toEqual([]);
  });

  it('leads a subject signed in as itself to its own subject, read as its self-inquiry, and every other caller to null', async () => {
    const own = await withEntries<{ viewer: { subject: { id: string; name: string } | null } }>(`{ viewer { subject { id name } } }`, subjectItself);
    expect(own.result.errors).toBeUndefined();
    expect(own.result.data!.viewer).toEqual({ subject: { id: ownSubject.id, name: ownSubject.name } });
    // Its name is its own credit data, read under SELF_INQUIRY: in its trail, as any of its own reads.
    expect(own.entries).toEqual([{ outcome: 'DISCLOSED' }]);
    // The same token without naming its self-inquiry (a token naming a subject not its own is refused: below).
    const withoutPurpose: As = { caller: { ...subjectItself.caller!, id: 'self-viewer-plain' } };
    for (const as of [financeOfficer, analyst, bank, registryAdmin, person, withoutPurpose]) {
      // `id` only: a field the caller's grants do not cover (a registry admin asking a name) is a refused read, audited as one.
      const other = await withEntries<{ viewer: { subject: unknown } }>(`{ viewer { subject { id } } }`, as);
      expect({ caller: as.caller!.id, answer: other.result.data, errors: other.result.errors }).toEqual({ caller: as.caller!.id, answer: { viewer: { subject: null } }, errors: undefined });
      expect(other.entries).toEqual([]);
    }
  });

  it("answers a refused self-inquiry's refusal at viewer.subject, as subject(id:) answers it, and offers SELF_INQUIRY only for the token's own subject", async () => {
    const QUERY = `query Own($id: ID!) { viewer { subject { name } matters { matter { code } } } subject(id: $id) { name } }`;
    const ask = async (as: As, id = ownSubject.id) => {
      const result = await platform.query<{ viewer: { subject: unknown; matters: { matter: { code: string } }[] } | null; subject: unknown }>(QUERY, { id }, as);
      const requestId = requestIdOf(result);
      const entries: { outcome: string; subject_id: string | null }[] = await platform.databases.audit.query('SELECT outcome, subject_id FROM audit_entry WHERE request_id = ?', [requestId]);
      const offered = result.data?.viewer?.matters.map((m) => m.matter.code);
      return { result, entries, offersSelfInquiry: offered?.includes('SELF_INQUIRY') };
    };
    const refusalAt = (result: Awaited<ReturnType<typeof ask>>['result'], path: string[]) =>
      result.errors?.filter((e) => e.path?.slice(0, path.length).join('.') === path.join('.')).map((e) => ({ code: e.extensions?.code, problem: e.extensions?.problem, header: e.extensions?.header }));
    const strangerId = '00000000-0000-4000-8000-000000000000';
    // A token whose subject_id names a subject there is not: the gateway refuses its self-inquiry.
    const otherSubject: As = { caller: { ...subjectItself.caller!, id: 'self-viewer-other', subjectId: strangerId }, headers: subjectItself.headers };
    const refused = await ask(otherSubject, strangerId);
    expect(refused.result.data).toEqual({ viewer: { subject: null, matters: expect.any(Array) }, subject: null });
    const notOwn = [{ code: 'FORBIDDEN', problem: 'TOKEN_SUBJECT_NOT_OWN', header: undefined }];
    expect(refusalAt(refused.result, ['viewer', 'subject'])).toEqual(notOwn);
    expect(refusalAt(refused.result, ['subject'])).toEqual(notOwn);
    expect(refused.offersSelfInquiry).toBe(false);
    // Both refusals are attempts at the subject the token names, audited as such.
    expect(refused.entries).toEqual(expect.arrayContaining([{ outcome: 'DENIED', subject_id: strangerId }]));

    // The same token naming no purpose: not offered SELF_INQUIRY, which the gateway would refuse.
    const plainOther = await ask({ caller: otherSubject.caller }, strangerId);
    expect(plainOther.offersSelfInquiry).toBe(false);
    expect(plainOther.result.data!.viewer!.subject).toBeNull();
    // An enterprise's token whose org is no credit code at all is no enterprise's: refused before anything is offered.
    const codeless = await ask({ caller: { ...subjectItself.caller!, id: 'self-viewer-codeless', organisation: 'NOT-A-CODE', organisationKind: 'ENTERPRISE' } });
    expect(codeless.result.errors?.map((e) => e.extensions?.problem)).toEqual(['TOKEN_CLAIMS_INVALID']);

    // A caller SELF_INQUIRY is not open to (a bank whose token carries a subject_id) is told so at viewer.subject too.
    const bankWithSubject: As = { caller: { ...bank.caller!, id: 'banker-viewer-self', subjectId: ownSubject.id }, headers: subjectItself.headers };
    const notOpen = await ask(bankWithSubject);
    expect(refusalAt(notOpen.result, ['viewer', 'subject'])).toEqual([{ code: 'FORBIDDEN', problem: 'MATTER_NOT_OPEN_TO_CALLER', header: 'x-credit-matter' }]);
    expect(notOpen.offersSelfInquiry).toBe(false);

    // The subject itself is offered it, with or without naming it, and reads its own subject under it.
    const own = await ask(subjectItself);
    expect(own.result.errors).toBeUndefined();
    expect(own.result.data).toEqual({ viewer: { subject: { name: ownSubject.name }, matters: expect.any(Array) }, subject: { name: ownSubject.name } });
    expect(own.offersSelfInquiry).toBe(true);
    const plainOwn = await withEntries<ViewerAnswer>(VIEWER, { caller: subjectItself.caller });
    expect(plainOwn.result.errors).toBeUndefined();
    expect(plainOwn.result.data!.viewer).toEqual(expectedViewer(subjectItself.caller!, plainOwn.result.data!.viewer!.organisation));
    expect(plainOwn.result.data!.viewer!.matters.map((m) => m.matter.code)).toContain('SELF_INQUIRY');
    expect(plainOwn.entries).toEqual([]);
  });

  it('answers an anonymous caller UNAUTHENTICATED at viewer, and the catalogue all the same', async () => {
    const { result, entries } = await withEntries<ViewerAnswer & { matters: { code: string }[] }>(`{ matters { code } viewer { role } }`, {});
    expect(result.status).toBe(200);
    expect(result.data!.viewer).toBeNull();
    expect(result.data!.matters.map((m) => m.code)).toEqual(matters.map((m) => m.code));
    expect(result.errors).toEqual([expect.objectContaining({ path: ['viewer'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'AUTHENTICATION_REQUIRED' }) })]);
    expect(entries).toEqual([]);
    // Whereas a field about a subject, refused for want of a token, is audited: the entries above are read where they would be.
    const refused = await withEntries(`{ subject(id: "viewer-control") { name } }`, {});
    expect(refused.result.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refused.entries).toEqual([{ outcome: 'DENIED' }]);
  });

  it('writes no audit entry and sends no SQL statement to any database', async () => {
    const written = { ...platform.gateway.audit!.written };
    for (const name of subgraphNames) platform.sql[name].reset();
    for (const as of [financeOfficer, analyst, bank, registryAdmin, {}]) {
      const result = await platform.query(`{ matters { code departments { nameZh } } viewer { organisation standingFieldGroups matters { fieldGroups } } }`, {}, as);
      expect(result.data?.matters).toHaveLength(matters.length);
    }
    expect(subgraphNames.flatMap((name) => platform.sql[name].statements)).toEqual([]);
    expect(platform.gateway.audit!.written).toEqual(written);
  });

  it('serves the roles and kinds of organisation the tokens carry', async () => {
    const result = await platform.query<{ role: { enumValues: { name: string }[] }; kind: { enumValues: { name: string }[] } }>(
      `{ role: __type(name: "Role") { enumValues { name } } kind: __type(name: "OrganisationKind") { enumValues { name } } }`,
    );
    expect(result.data!.role.enumValues.map((v) => v.name)).toEqual([...roles]);
    // UNIDENTIFIED is the audit's, for a caller without a token, who has no viewer.
    expect(result.data!.kind.enumValues.map((v) => v.name)).toEqual([...organisationKinds, 'UNIDENTIFIED']);
  });
});
