import { testDatabases } from '../../helpers/databases';
import { identityOf, useRecordsWithSubjects } from './records-harness';

/**
 * A check's idempotency key sent again with another subject is refused IDEMPOTENCY_KEY_REUSED,
 * its message naming the officer who ran the first (the token's `sub`). An identity provider may
 * name an officer's account by the officer's citizen ID number: the message named it whole, where
 * every message masks a person's number (userInWords, as callerInWords an organisation).
 */
const RUN = /* GraphQL */ `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`;
const citizenIdNumber = '130304199406220815';
const numbered = identityOf({ id: citizenIdNumber, organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, 'GOVERNMENT_PROCUREMENT');

describe.each(testDatabases)('a credit check key sent again with another subject, on $label', (database) => {
  const { world, records } = useRecordsWithSubjects(database, 'checkkeyreuse', 6);

  it('names an officer whose sub is a citizen ID number by the number masked', async () => {
    const [first, second] = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
    const run = (subjectId: string) => records.queryAs(numbered, RUN, { input: { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CASE-1', idempotencyKey: 'check-key-1' } });
    expect((await run(first.id)).errors).toBeUndefined();
    const refused = await run(second.id);
    expect(refused.errors?.map((e) => e.extensions?.problem)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(refused.errors?.[0].message).toBe(
      '1303**********0815 of FINANCE already ran a check of another subject, matter or case under the key check-key-1: make a new key for each check, and send it again only to retry that check',
    );
    expect(JSON.stringify(refused)).not.toContain(citizenIdNumber);
  });
});
