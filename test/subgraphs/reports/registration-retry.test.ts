import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { demoWorld } from '../../../scripts/demo/world';
import { testDatabases } from '../../helpers/databases';
import { useReportsWithPeers } from './registry-peers';
import { financeOfficer, identityOf } from '../providers/callers';

/**
 * A registration sent again (a client retrying after its answer was lost): the same registration
 * by the same user is answered the report it stored, storing nothing; any other repeat of a
 * standing issuer and number is DUPLICATE_REPORT, naming the standing report (`reportId`) only to
 * the department that registered it, for the same subject, and saying only "another department"
 * to any other, whose case file it does not read.
 */
const world = demoWorld({ subjects: 20 });
const subject = world.subjects[2];
const otherSubject = world.subjects.find((s, i) => i > 2 && s.kind === subject.kind)!;
const procurement = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' };
const officer = identityOf(financeOfficer, procurement);
const colleague = identityOf({ ...financeOfficer, id: 'officer-colleague' }, procurement);
const taxation: Caller = { id: 'officer-tax', organisation: 'TAXATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const taxOfficer = identityOf(taxation, { matter: 'TAX_INCENTIVES', caseNumber: 'BDH-SW-2026-0001' });

const register = /* GraphQL */ `
  mutation ($input: RegisterCreditReportInput!) {
    registerCreditReport(input: $input) { id reportNumber grade registeredByOrganisation }
  }
`;

type Registered = { registerCreditReport: { id: string; reportNumber: string; grade: string | null; registeredByOrganisation: string } | null };

describe.each(testDatabases)('a report registration sent again, on $label', (database) => {
  const { reports } = useReportsWithPeers(database, 'regretry', world);
  let sequence = 0;

  function input(overrides: Record<string, unknown> = {}) {
    sequence += 1;
    return {
      subjectId: subject.id,
      source: 'LOCAL_CREDIT_WEBSITE',
      issuerName: '信用河北网站',
      reportNumber: `XYHB-RETRY-${String(sequence).padStart(4, '0')}`,
      issuedOn: '2026-10-30',
      validUntil: '2027-01-27',
      grade: 'A',
      verificationCode: 'K7Q2M9TA',
      documentReference: '案卷 CG-2026-0117 第3页',
      ...overrides,
    };
  }

  const registerAs = (identity: RequestIdentity, values: Record<string, unknown>) => reports.queryAs<Registered>(identity, register, { input: values });
  const count = async (reportNumber: string) => reports.db().query('SELECT id FROM credit_report WHERE report_number = ?', [reportNumber]).then((rows: unknown[]) => rows.length);

  it('answers the same registration sent again by the same officer with the report it stored, and stores nothing', async () => {
    const values = input();
    const first = await registerAs(officer, values);
    expect(first.errors).toBeUndefined();
    // Typed as the form was, blank optional text and a lower-case grade included: stored the same.
    const again = await registerAs(officer, { ...values, grade: ' a ', issuerName: ' 信用河北网站 ' });
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    // Audited as the first answer was.
    expect(again.extensions?.disclosures).toEqual(first.extensions?.disclosures);
    expect(await count(values.reportNumber)).toBe(1);
  });

  it("refuses another registration of the number by the department with DUPLICATE_REPORT naming its own standing report, who registered it and when", async () => {
    const values = input();
    const first = await registerAs(officer, values);
    const id = first.data!.registerCreditReport!.id;
    for (const [identity, changed] of [
      [officer, { grade: 'AA' }],
      [colleague, {}],
    ] as const) {
      const again = await registerAs(identity, { ...values, ...changed });
      expect(again.data).toEqual({ registerCreditReport: null });
      expect(again.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT', reportId: id }]);
      expect(again.errors?.[0].message).toContain(`your department registered it (${id}, by officer-test at `);
      // The refusal names the report: audited in its subject's trail, as the answer would have been.
      expect(again.extensions?.disclosures).toEqual([{ subjectId: subject.id, groups: ['REPORT_REGISTRATION'] }]);
    }
    expect(await count(values.reportNumber)).toBe(1);
  });

  // An identity provider may name an officer's account by the officer's citizen ID number: the
  // refusal named the registering officer's sub whole, where every message masks a person's number (userInWords).
  it('names a registering officer whose sub is a citizen ID number by the number masked, for the same subject and for another', async () => {
    const values = input();
    const numbered = identityOf({ ...financeOfficer, id: '130304199406220815' }, procurement);
    const id = (await registerAs(numbered, values)).data!.registerCreditReport!.id;
    const again = await registerAs(officer, values);
    expect(again.errors?.[0].message).toContain(`your department registered it (${id}, by 1303**********0815 at `);
    const forAnother = await registerAs(officer, { ...values, subjectId: otherSubject.id });
    expect(forAnother.errors?.[0].message).toContain('your department registered it for another subject (by 1303**********0815 at ');
    expect(JSON.stringify([again, forAnother])).not.toContain('130304199406220815');
  });

  it("names neither the report nor the department to another department, nor its own registration for another subject by its id", async () => {
    const values = input();
    const first = await registerAs(officer, values);
    const id = first.data!.registerCreditReport!.id;
    const byTax = await registerAs(taxOfficer, values);
    expect(byTax.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT' }]);
    expect(byTax.errors?.[0].message).toContain('another department registered it');
    expect(JSON.stringify(byTax)).not.toContain(id);
    expect(JSON.stringify(byTax)).not.toContain('FINANCE');
    expect(byTax.extensions?.disclosures).toBeUndefined();

    const forAnother = await registerAs(officer, { ...values, subjectId: otherSubject.id });
    expect(forAnother.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT' }]);
    expect(forAnother.errors?.[0].message).toContain('your department registered it for another subject');
    expect(JSON.stringify(forAnother)).not.toContain(id);
    expect(forAnother.extensions?.disclosures).toBeUndefined();
    expect(await count(values.reportNumber)).toBe(1);
  });

  it('answers the same registration sent several times at once with one report', async () => {
    const values = input();
    const answers = await Promise.all(Array.from({ length: 4 }, () => registerAs(officer, values)));
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined]);
    expect(new Set(answers.map((a) => a.data!.registerCreditReport!.id)).size).toBe(1);
    expect(await count(values.reportNumber)).toBe(1);
  });
});
