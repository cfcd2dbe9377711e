import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { Subject } from '../../../subgraphs/entities/entities/subject.entity';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * A registration sent again (a registrar retrying after its answer was lost) is DUPLICATE_SUBJECT,
 * as the README documents, naming the subject registered under the code in `subjectId`, so that
 * the registrar learns which subject its first registration stored; the refusal is audited in
 * that subject's trail as the registration's answer is.
 */
const registrar: Caller = { id: 'registrar-zhao', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const asRegistrar: RequestIdentity = { caller: registrar, purpose: null, grants: decideGrants(registrar, null).groups, scope: {}, requestId: 'registration-retry' };

/** A code as an input method in full-width mode types it: ＡＢ１２ for AB12. */
const inFullWidth = (code: string) => code.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const REGISTER = /* GraphQL */ `mutation($input: RegisterSubjectInput!) { registerSubject(input: $input) { id } }`;

describe.each(testDatabases)('a subject registration sent again, on $label', (database) => {
  const { db, queryAs } = useSubgraph(entitiesSubgraph, database, 'subjretry');

  it('refuses it with DUPLICATE_SUBJECT naming the subject it stored in subjectId, whatever else the second one says', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0RETRY' });
    const input = { kind: 'ENTERPRISE', name: '秦皇岛市北戴河区重试有限公司', code, registrationDate: '2020-05-01' };
    const first = await queryAs<{ registerSubject: { id: string } }>(asRegistrar, REGISTER, { input });
    expect(first.errors).toBeUndefined();
    const id = first.data!.registerSubject.id;

    for (const again of [input, { ...input, name: '另一个名称有限公司', code: inFullWidth(code) }]) {
      const result = await queryAs(asRegistrar, REGISTER, { input: again });
      expect(result.data).toEqual({ registerSubject: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'DUPLICATE_SUBJECT', field: 'code', subjectId: id }]);
      expect(result.errors?.[0].message).toBe(`a subject with identifier ${code} is already registered, as subject ${id}`);
      expect(result.extensions?.disclosures).toEqual([{ subjectId: id, groups: ['SUBJECT_REGISTRATION'] }]);
    }
    expect(await db().getRepository(Subject).countBy({ identifier: code })).toBe(1);
  });
});
