import { buildSections, snapshotFormat, type Snapshot, type SnapshotRecord } from '../../subgraphs/reports/platform-report';

/** A record as a report's snapshot holds it: an enterprise on the serious dishonesty list. */
export const listedRecord: SnapshotRecord = {
  id: 'r1', category: 'SERIOUS_DISHONESTY_LIST', polarity: 'NEGATIVE', severity: null, taxCreditGrade: null, documentNumber: '北戴河人社欠薪失〔2026〕3号',
  decisionDate: '2026-03-18', disclosureEndsAt: '2029-03-17', summary: '列入拖欠农民工工资失信联合惩戒对象名单', sourceDepartment: { code: 'HUMAN_RESOURCES', nameZh: '区人社局' },
};

/** A platform report's snapshot of an enterprise holding `records`, as renderPrintable takes it. */
export function reportSnapshot(records: SnapshotRecord[], format = snapshotFormat): Snapshot {
  return {
    format, title: '北戴河区公共信用信息报告', office: '秦皇岛市北戴河区社会信用体系建设领导小组办公室', issuer: '北戴河区公共信用信息共享平台', reportNumber: 'BDHXY-20261125-AAAAAAAA',
    verificationCode: 'CODE', issuedOn: '2026-11-25', validUntil: '2027-02-22', generatedAt: '2026-11-25T02:00:00.000Z', purpose: { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117', requestedBy: 'FINANCE' },
    subject: { id: 's1', kind: 'ENTERPRISE', name: '示例', unifiedSocialCreditCode: '914403001922038216', citizenIdNumber: null, registeredAddress: null, legalRepresentative: null, status: 'ACTIVE', registrationDate: null },
    sections: buildSections(records),
  };
}
