import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';
import type { DepartmentCode } from '../../../lib/catalogue/departments';
import * as catalogue from '../../../lib/catalogue/matters';
import { demoWorld, type DemoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import type { SubjectLookup } from '../../../lib/subject-register';
import { EntitiesSubjectDirectory, type SubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import type { TestDatabase } from '../../helpers/databases';
import { testSigningKey } from '../../helpers/identity';
import { useSubgraph, type TestSubgraph } from '../../helpers/subgraph';

/** A directory that counts its lookups (one per chunk is the contract) and can be cut off. */
export class CountingDirectory implements SubjectDirectory {
  calls: { ids: number; codes: number }[] = [];
  /** While set, lookups go to a port nobody listens on. */
  unreachable = false;

  constructor(private readonly url: () => string) {}

  lookUp(ids: readonly string[], codes: readonly string[], requestId?: string): Promise<SubjectLookup> {
    this.calls.push({ ids: ids.length, codes: codes.length });
    const url = this.unreachable ? 'http://127.0.0.1:1/graphql' : this.url();
    return new EntitiesSubjectDirectory({ url, signingKey: testSigningKey }, 2_000).lookUp(ids, codes, requestId);
  }
}

export interface RecordsHarness {
  world: DemoWorld;
  entities: TestSubgraph;
  records: TestSubgraph;
  directory: CountingDirectory;
}

/**
 * The records subgraph with a real entities subgraph beside it (on the same kind of database,
 * its subjects seeded from the demo world), as record intake meets it in production: subjects are
 * checked over HTTP with a gateway-signed identity. Call inside a `describe`.
 */
export function useRecordsWithSubjects(database: TestDatabase, suite: string, subjects = 40): RecordsHarness {
  const world = demoWorld({ subjects });
  const entities = useSubgraph(entitiesSubgraph, database, `${suite}_subjects`);
  const directory = new CountingDirectory(() => entities.url());
  const records = useSubgraph(createRecordsSubgraph({ subjects: directory }), database, suite);
  beforeAll(async () => {
    await seedEntities(entities.db(), world);
  });
  return { world, entities, records, directory };
}

/** An identity with exactly the groups the policy catalogue gives this caller and purpose. */
export function identityOf(caller: Caller, matter?: string, scope: RequestIdentity['scope'] = {}): RequestIdentity {
  const purpose = matter ? { matter, caseNumber: 'CASE-1' } : null;
  const decision = decideGrants(caller, purpose);
  return { caller, purpose, grants: decision.groups, scope: { ...decision.scope, ...scope }, requestId: `test-${caller.id}` };
}

export const officerOf = (organisation: string): RequestIdentity =>
  identityOf({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });

export const creditOffice: RequestIdentity = identityOf({ id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' }, 'CREDIT_SUPERVISION');

/** A subject acting for itself: its own inquiry, scoped to it. */
export function selfOf(subject: { id: string; identifier: string; kind: string }): RequestIdentity {
  return identityOf(
    { id: `self-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
    'SELF_INQUIRY',
  );
}

export const bankUser: RequestIdentity = identityOf({ id: 'banker-liu', organisation: 'BANK_HEBEI_BEIDAIHE', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' });

/**
 * The ways a department loses a matter the credit office changes in the catalogue, each with the
 * refusal it is then told (`problem`): withdrawn from it, or given to `others` alone. Each
 * changes `catalogue.findMatter` (restore it with jest.restoreAllMocks), every other matter as it was.
 */
export function lossesOf(matter: catalogue.Matter, others: DepartmentCode[]): [string, () => void, string][] {
  const becomes = (changed: catalogue.Matter | undefined) => {
    const findMatter = catalogue.findMatter;
    jest.spyOn(catalogue, 'findMatter').mockImplementation((asked) => (asked === matter.code ? changed : findMatter(asked)));
  };
  return [
    ['withdrawn from the catalogue', () => becomes(undefined), 'UNKNOWN_MATTER'],
    ['no longer the bureau’s', () => becomes({ ...matter, users: { ...matter.users, departments: others } }), 'DEPARTMENT_NOT_RESPONSIBLE'],
  ];
}
