import type { RequestIdentity } from '../../../lib/access/identity';
import { demoWorld } from '../../../scripts/demo/world';
import { testDatabases } from '../../helpers/databases';
import { useReportsWithPeers } from './registry-peers';
import { creditOffice, financeOfficer, identityOf } from '../providers/callers';

/**
 * A report's finding sent again (a client retrying after its answer was lost): the same finding
 * (same report, result and note) by the same user of the same organisation, while it is the
 * report's latest, answers the finding stored and adds none; any other finding is one of its own.
 */
const world = demoWorld({ subjects: 20 });
const subject = world.subjects[2];
const procurement = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' };
const officer = identityOf(financeOfficer, procurement);
const colleague = identityOf({ ...financeOfficer, id: 'officer-colleague' }, procurement);
// The same user id, acting for the credit office in its supervision: another caller.
const sameIdAtTheOffice = identityOf({ ...creditOffice, id: financeOfficer.id }, { matter: 'CREDIT_SUPERVISION' });

const register = /* GraphQL */ `
  mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }
`;
const find = /* GraphQL */ `
  mutation ($id: ID!, $genuine: Boolean!, $note: String!) {
    recordReportVerification(id: $id, genuine: $genuine, note: $note) { id verificationStatus verificationNote verifiedAt }
  }
`;

interface Found {
  id: string;
  verificationStatus: string;
  verificationNote: string;
  verifiedAt: string;
}

describe.each(testDatabases)('a report finding sent again, on $label', (database) => {
  const { reports } = useReportsWithPeers(database, 'verretry', world);
  let sequence = 0;

  async function registered(): Promise<string> {
    sequence += 1;
    const result = await reports.queryAs<{ registerCreditReport: { id: string } }>(officer, register, {
      input: {
        subjectId: subject.id,
        source: 'LOCAL_CREDIT_WEBSITE',
        issuerName: '信用河北网站',
        reportNumber: `XYHB-FINDING-${database.label}-${String(sequence).padStart(4, '0')}`,
        issuedOn: '2026-10-30',
        validUntil: '2027-01-27',
        grade: 'A',
        verificationCode: 'K7Q2M9TA',
        documentReference: '案卷 CG-2026-0117 第3页',
      },
    });
    expect(result.errors).toBeUndefined();
    return result.data!.registerCreditReport.id;
  }

  const findAs = (identity: RequestIdentity, id: string, genuine: boolean, note: string) => reports.queryAs<{ recordReportVerification: Found | null }>(identity, find, { id, genuine, note });
  const findings = async (id: string) => (await reports.db().query('SELECT outcome, note, verified_by, verified_by_organisation FROM credit_report_verification WHERE report_id = ? ORDER BY verified_at, id', [id])) as unknown[];

  it('answers the same finding sent again by the same officer with the finding stored, adding none', async () => {
    const id = await registered();
    const first = await findAs(officer, id, true, '信用河北网站核验：一致');
    expect(first.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      // Typed as the form was: the note is trimmed, as when it was first sent.
      const again = await findAs(officer, id, true, i === 0 ? ' 信用河北网站核验：一致 ' : '信用河北网站核验：一致');
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect(again.extensions?.disclosures).toEqual(first.extensions?.disclosures);
    }
    expect(await findings(id)).toHaveLength(1);
  });

  it('answers the same finding sent several times at once with one finding', async () => {
    const id = await registered();
    const answers = await Promise.all(Array.from({ length: 4 }, () => findAs(officer, id, false, '出具机构回函：未出具该报告')));
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined]);
    expect(new Set(answers.map((a) => a.data!.recordReportVerification!.verifiedAt)).size).toBe(1);
    expect(await findings(id)).toHaveLength(1);
  });

  it('records as findings of their own another result, another note, another user, the same user for another organisation, and a finding no longer the latest', async () => {
    const id = await registered();
    const note = '信用河北网站核验：一致';
    expect((await findAs(officer, id, true, note)).errors).toBeUndefined();
    for (const [identity, genuine, text] of [
      [officer, false, note],
      [officer, false, '重新核验：验证码不符'],
      [colleague, false, '重新核验：验证码不符'],
      [sameIdAtTheOffice, false, '重新核验：验证码不符'],
      // The officer's first finding again, once others replaced it: a finding of its own, and the latest again.
      [officer, true, note],
    ] as const) {
      const answer = await findAs(identity, id, genuine, text);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.recordReportVerification).toMatchObject({ verificationStatus: genuine ? 'GENUINE' : 'NOT_GENUINE', verificationNote: text });
    }
    expect(await findings(id)).toEqual([
      { outcome: 'GENUINE', note, verified_by: 'officer-test', verified_by_organisation: 'FINANCE' },
      { outcome: 'NOT_GENUINE', note, verified_by: 'officer-test', verified_by_organisation: 'FINANCE' },
      { outcome: 'NOT_GENUINE', note: '重新核验：验证码不符', verified_by: 'officer-test', verified_by_organisation: 'FINANCE' },
      { outcome: 'NOT_GENUINE', note: '重新核验：验证码不符', verified_by: 'officer-colleague', verified_by_organisation: 'FINANCE' },
      { outcome: 'NOT_GENUINE', note: '重新核验：验证码不符', verified_by: 'officer-test', verified_by_organisation: 'CREDIT_OFFICE' },
      { outcome: 'GENUINE', note, verified_by: 'officer-test', verified_by_organisation: 'FINANCE' },
    ]);
  });

  it('answers a retry of a finding on a registration withdrawn since with the finding stored, and refuses a new one', async () => {
    const id = await registered();
    const note = '信用河北网站核验：一致';
    const first = await findAs(officer, id, true, note);
    expect(first.errors).toBeUndefined();
    const withdrawn = await reports.queryAs(officer, 'mutation ($id: ID!) { withdrawCreditReportRegistration(id: $id, reason: "登记错误：报告编号录入有误") { id } }', { id });
    expect(withdrawn.errors).toBeUndefined();
    const again = await findAs(officer, id, true, note);
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    const another = await findAs(officer, id, false, note);
    expect(another.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' }]);
    expect(await findings(id)).toHaveLength(1);
  });
});
