import type { Caller } from '../../../lib/access/identity';
import * as catalogue from '../../../lib/catalogue/matters';
import { CreditCheck } from '../../../subgraphs/records/entities/credit-check.entity';
import { testDatabases } from '../../helpers/databases';
import { identityOf, lossesOf, useRecordsWithSubjects } from './records-harness';

/**
 * A check run under a matter the catalogue no longer grants the department (withdrawn, or given
 * to another), signed by a gateway of an earlier release: with the purpose's groups (CREDIT_CHECK
 * among them) and no refusal, which the records subgraph decides again (refusalOf). The check is
 * refused with the refusal's `problem` and `header`, as the gateway of this release refuses it, and
 * nothing is stored: a check stored under a purpose nobody may name any more would open a case
 * file no one can be held to.
 */
const procurement = catalogue.findMatter('GOVERNMENT_PROCUREMENT')!;
const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const signedWhileItHeld = identityOf(finance, procurement.code);

const losses = lossesOf(procurement, ['MARKET_REGULATION']);

describe.each(testDatabases)('a credit check under a matter refused since, on $label', (database) => {
  const { world, records } = useRecordsWithSubjects(database, 'refusedcheck', 4);
  afterEach(() => jest.restoreAllMocks());

  it.each(losses)('refuses a check under a matter %s with the refusal’s problem and header, storing nothing', async (_, lose, problem) => {
    lose();
    const subjectId = world.subjects.find((s) => s.kind === 'ENTERPRISE')!.id;
    const run = await records.queryAs(signedWhileItHeld, `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`, { input: { subjectId, matter: procurement.code, caseNumber: 'CASE-1' } });
    expect({ data: run.data, errors: run.errors?.map((e) => ({ code: e.extensions?.code, problem: e.extensions?.problem, header: e.extensions?.header })) }).toEqual({
      data: { runCreditCheck: null },
      errors: [{ code: 'FORBIDDEN', problem, header: 'x-credit-matter' }],
    });
    expect(await records.db().getRepository(CreditCheck).count()).toBe(0);
  });
});
