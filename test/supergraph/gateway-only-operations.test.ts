import type { Caller } from '../../lib/access/identity';
import { demoConsents } from '../../scripts/demo/consents';
import { demoWorld, type DemoSubject } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * The gateway looks a consent up (Query.consentForAccess, entities) and appends the audit log
 * (Mutation.appendAuditEntries, audit) by calling those subgraphs directly, signed as itself
 * (lib/internal-client.ts). They are no part of the public API: @inaccessible, they and the types
 * only they use are left out of the schema the gateway serves and introspects, as the platform's
 * other internal fields are; the gateway's own calls go on working.
 */
const world = demoWorld({ subjects: 40 });
const [owner, , counterparty] = world.subjects;

const INTROSPECT = /* GraphQL */ `
  {
    __schema {
      queryType { fields { name } }
      mutationType { fields { name } }
      types { name }
    }
  }
`;

const userOf = (subject: DemoSubject): Caller => ({ id: `user-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id });

describe.each(testDatabases)('gateway-only operations on $label', (database) => {
  const platform = usePlatform(database, 'gatewayonly', { seedSubjects: world.subjects.length });

  it('are not in the schema the gateway serves to anonymous introspection', async () => {
    const result = await platform.query<{ __schema: { queryType: { fields: { name: string }[] }; mutationType: { fields: { name: string }[] }; types: { name: string }[] } }>(INTROSPECT);
    expect(result.errors).toBeUndefined();
    const schema = result.data!.__schema;
    const queries = schema.queryType.fields.map((f) => f.name);
    const mutations = schema.mutationType.fields.map((f) => f.name);
    const types = schema.types.map((t) => t.name);
    // The introspection is the real one: the neighbours are there.
    expect(queries).toEqual(expect.arrayContaining(['subject', 'auditEntriesByOrganisation']));
    expect(mutations).toEqual(expect.arrayContaining(['grantConsent']));
    expect({ queries: queries.filter((name) => name === 'consentForAccess'), mutations: mutations.filter((name) => name === 'appendAuditEntries') }).toEqual({ queries: [], mutations: [] });
    expect(types.filter((name) => ['ConsentCheck', 'AuditAppendResult', 'AuditEntryInput'].includes(name))).toEqual([]);
  });

  it.each([
    ['Query.consentForAccess', `{ consentForAccess(id: "${demoConsents.dueDiligence}") { status } }`, 'consentForAccess'],
    [
      'Mutation.appendAuditEntries',
      /* GraphQL */ `mutation { appendAuditEntries(entries: []) { appended } }`,
      'appendAuditEntries',
    ],
  ])('refuses %s sent through the gateway as an unknown field, whoever sends it', async (_label, document, field) => {
    const result = await platform.query(document);
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining(field), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it("still checks a consent and writes the audit log with the gateway's own calls to the subgraphs", async () => {
    const read = await platform.query<{ subject: { name: string } | null }>(`query Read($id: ID!) { subject(id: $id) { name } }`, { id: owner.id }, {
      caller: userOf(counterparty),
      headers: { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': demoConsents.dueDiligence },
    });
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ subject: { name: owner.name } });
    const audited = await platform.databases.audit.query('SELECT organisation, consent_id, subject_id, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(read)]);
    expect(audited).toEqual([{ organisation: counterparty.identifier, consent_id: demoConsents.dueDiligence, subject_id: owner.id, outcome: 'DISCLOSED' }]);
  });
});
