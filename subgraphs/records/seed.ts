import { addDays, todayInDistrict } from '../../lib/calendar';
import type { DataSource } from 'typeorm';
import { restorableFrom, taxGradePolarity, type Polarity, type RecordCategoryCode, type Severity, type TaxCreditGrade } from '../../lib/catalogue/record-categories';
import type { Random } from '../../scripts/demo/random';
import { disclosureEndedBy } from '../../lib/catalogue/record-standing';
import type { DemoSubject, DemoWorld } from '../../scripts/demo/world';
import { insertRows, seedEmptyDatabase, type Seeded } from '../shared/seeding';
import { buildCreditRecord } from './credit-record.repository';
import type { CreditRecordDraft } from './credit-record.validation';
import { CreditRecord, type StoredRecordStatus } from './entities/credit-record.entity';
import { CreditRecordEvent, type RecordValues } from './entities/credit-record-event.entity';
import { CreditRecordObjection, type ObjectionResolution, type ObjectionStatus } from './entities/credit-record-objection.entity';
import { RestorationApplication, type RestorationStatus } from './entities/restoration-application.entity';
import { recordEvent, type Actor } from './record-history';

/** The demo's "today": seeded dates are fixed relative to it, so records expire as real days pass. */
export const demoToday = '2026-11-25';
/** The district platform went live here; older decisions (registrations) were imported on that day. */
const platformLaunch = '2020-11-02';

/**
 * The illustrative subjects: the first subjects of the demo world always have these records, so
 * that the README and front-end teams can point at a known case. (Indexes 1, 6, 8 and 9 of the
 * default world are natural persons; each index has a variant for persons and for organisations.)
 *
 * | index | what it shows | records (organisation / natural person) |
 * | --- | --- | --- |
 * | 0 | clean: no negative record | establishment registration, credit commitment, red-list honour, tax grade A for 2024 and 2025 / red-list honour 诚信之星, credit commitment |
 * | 1 | a general administrative penalty, disclosed until 2027 | 销售超过保质期的食品 (区市场监管局) / 未取得道路运输经营许可从事客运 (区交通局) |
 * | 2 | a serious administrative penalty, disclosed until 2029 | 政府采购提供虚假材料 (区财政局) / 非法占用耕地建房 (区资源规划局) |
 * | 3 | on the serious-dishonesty list, disclosed until 2029 | 拖欠农民工工资 list (区人社局), with the underlying general penalty |
 * | 4 | a dishonest judgment debtor | listed by 北戴河区人民法院 in 2026 |
 * | 5 | a restored record only | a general penalty of 2025, RESTORED |
 * | 6 | an expired record only | a general penalty of 2024 / a court listing of 2023, disclosure over: reads EXPIRED |
 * | 7 | the remaining kinds | registration change, licence, enforcement under objection (OBJECTED), contract performance, tax grade B, a minor penalty WITHDRAWN on an accepted objection / enforcement under objection, credit commitment, a withdrawn minor penalty |
 * | 8–9 | ordinary random subjects | |
 *
 * These eight alone hold every category and every status, so even the smallest demo world (10
 * subjects, the seed script's minimum) shows them all. Their lifecycle (`illustrativeCases`):
 * subject 1's penalty had an objection accepted with a correction (the fine was mis-typed) and a
 * restoration application rejected; subject 2's an objection rejected; subject 3 has a
 * restoration application pending for its penalty; subject 5's restoration was approved; subject
 * 7's enforcement has its objection pending and its withdrawn penalty an accepted one. Every
 * other OBJECTED record has its pending objection and every other RESTORED one its approved
 * application, and every record its CREATED event, so the history explains every status.
 */
export const illustrativeSubjectCount = 8;

/** The demo world's credit records and their lifecycle, into a records database holding no data (`seedEmptyDatabase`); returns how many records it wrote. */
export async function seedRecords(db: DataSource, world: DemoWorld): Promise<Seeded> {
  const random = world.random('credit-records');
  const numbers = new DocumentNumbers(random);
  const rows: CreditRecord[] = [];
  const owners: { subject: DemoSubject; index: number }[] = [];
  world.subjects.forEach((subject, index) => {
    const fixtures = index < illustrativeSubjectCount ? illustrativeRecords(index, subject) : randomRecords(subject, random);
    for (const record of fixtures) {
      const draft: CreditRecordDraft = {
        subjectId: subject.id,
        category: record.category,
        polarity: record.polarity,
        severity: record.severity ?? null,
        taxCreditGrade: record.taxCreditGrade ?? null,
        sourceDepartment: record.document.department,
        documentNumber: numbers.next(record.document, Number(record.decisionDate.slice(0, 4))),
        decisionDate: record.decisionDate,
        status: record.status ?? 'ACTIVE',
        summary: record.summary,
      };
      // Throws on an invalid record: every seeded record passes the same validation as intake.
      rows.push(buildCreditRecord(draft, { id: random.uuid(), recordedAt: recordedAt(draft.decisionDate, random), today: demoToday }));
      owners.push({ subject, index });
    }
  });
  const lifecycle = seedLifecycle(rows, owners, world.random('credit-record-lifecycle'));
  return await seedEmptyDatabase(db, async (manager) => {
    const inserted = await insertRows(manager, CreditRecord, rows);
    await insertRows(manager, CreditRecordObjection, lifecycle.objections);
    await insertRows(manager, RestorationApplication, lifecycle.applications);
    await insertRows(manager, CreditRecordEvent, lifecycle.events);
    return inserted;
  });
}

// ---------------------------------------------------------------------------------------------
// The lifecycle: events, objections and restoration applications that explain each status.

/** Who entered a department's records: its records clerk (信息报送员). */
function clerk(department: string): Actor {
  return { userId: `clerk-${department.toLowerCase().replace(/_/g, '-')}`, organisation: department };
}

/** The subject acting for itself, as its self-inquiry token names it. */
function selfActor(subject: DemoSubject): Actor {
  return { userId: `self-${subject.id.slice(0, 8)}`, organisation: subject.identifier };
}

const dayMs = 86_400_000;
/** Nothing seeded happens after the demo's "today" (17:00 in the district). */
const latest = Date.parse(`${demoToday}T09:00:00Z`);
const atMost = (time: number) => new Date(Math.min(time, latest));

interface Lifecycle {
  events: CreditRecordEvent[];
  objections: CreditRecordObjection[];
  applications: RestorationApplication[];
}

/** A case as the illustrative subjects have it (see the table above). */
interface IllustrativeCase {
  subjectIndex: number;
  category: RecordCategoryCode;
  status?: StoredRecordStatus;
  objection?: { status: ObjectionStatus; resolution?: ObjectionResolution; reason: string; decision?: string; corrected?: RecordValues };
  application?: { status: RestorationStatus; correction: string; evidence: string[]; decision?: string };
}

const illustrativeCases: IllustrativeCase[] = [
  {
    subjectIndex: 1,
    category: 'ADMINISTRATIVE_PENALTY',
    objection: {
      status: 'ACCEPTED',
      resolution: 'CORRECTED',
      reason: '处罚决定书载明的罚款金额与信用记录不一致',
      decision: '经核对，信用记录中的罚款金额录入有误，已按处罚决定书更正',
    },
    application: {
      status: 'REJECTED',
      correction: '已停止违法行为并完成整改',
      evidence: ['整改报告'],
      decision: '罚款尚未缴纳完毕，未履行处罚决定确定的义务，不予修复',
    },
  },
  {
    subjectIndex: 2,
    category: 'ADMINISTRATIVE_PENALTY',
    objection: { status: 'REJECTED', reason: '对处罚的严重程度认定有异议', decision: '经复核，处罚依据和严重程度认定准确，异议不成立' },
  },
  {
    subjectIndex: 3,
    category: 'ADMINISTRATIVE_PENALTY',
    application: { status: 'SUBMITTED', correction: '已足额支付拖欠工资并缴纳罚款，建立工资支付台账', evidence: ['罚款缴纳凭证', '工资支付凭证及劳动者签收记录'] },
  },
  {
    subjectIndex: 5,
    category: 'ADMINISTRATIVE_PENALTY',
    status: 'RESTORED',
    application: { status: 'APPROVED', correction: '已缴纳罚款并完成整改', evidence: ['罚款缴纳凭证', '整改完成情况报告'], decision: '当事人已履行处罚义务、完成整改并作出信用承诺，同意修复' },
  },
  {
    subjectIndex: 7,
    category: 'ADMINISTRATIVE_ENFORCEMENT',
    status: 'OBJECTED',
    objection: { status: 'SUBMITTED', reason: '强制措施依据的事实有误，已提交相关证明材料' },
  },
  {
    subjectIndex: 7,
    category: 'ADMINISTRATIVE_PENALTY',
    status: 'WITHDRAWN',
    objection: {
      status: 'ACCEPTED',
      resolution: 'WITHDRAWN',
      reason: '已按期履行相关义务，处罚对象认定有误',
      decision: '经核查，原处罚决定已依法撤销，撤销该信用记录',
    },
  },
];

const commitment = '本主体承诺已纠正失信行为，今后严格遵守法律法规，如有违反，自愿接受相应惩戒。';

function seedLifecycle(records: CreditRecord[], owners: { subject: DemoSubject; index: number }[], random: Random): Lifecycle {
  const lifecycle: Lifecycle = { events: [], objections: [], applications: [] };
  const handled = new Set<string>();
  records.forEach((record, i) => {
    const { subject, index } = owners[i];
    lifecycle.events.push(recordEvent(record.id, 'CREATED', clerk(record.sourceDepartment), record.recordedAt, { id: random.uuid() }));
    if (index >= illustrativeSubjectCount) return;
    const wanted = illustrativeCases.find((c) => c.subjectIndex === index && c.category === record.category && (c.status ?? 'ACTIVE') === record.status && !handled.has(`${index}:${c.category}:${c.status}`));
    if (!wanted) return;
    handled.add(`${index}:${wanted.category}:${wanted.status}`);
    const objectedAt = record.recordedAt.getTime() + 2 * dayMs + 3_600_000;
    if (wanted.objection) addObjection(lifecycle, random, record, subject, objectedAt, wanted.objection);
    if (wanted.application) {
      const from = Date.parse(`${restorableFrom(record.category, record.severity, record.decisionDate)}T02:00:00Z`);
      addApplication(lifecycle, random, record, subject, Math.max(from, objectedAt + 12 * dayMs), wanted.application);
    }
  });
  // Every other record whose stored status needs a case gets the usual one.
  records.forEach((record, i) => {
    const { subject, index } = owners[i];
    if (index < illustrativeSubjectCount) return;
    if (record.status === 'OBJECTED') {
      addObjection(lifecycle, random, record, subject, record.recordedAt.getTime() + random.int(1, 30) * dayMs, { status: 'SUBMITTED', reason: random.pick(['对认定的事实有异议，已提交证明材料', '记录内容与决定书不一致', '该记录主体认定有误']) });
    } else if (record.status === 'RESTORED') {
      const from = Date.parse(`${restorableFrom(record.category, record.severity, record.decisionDate)}T02:00:00Z`);
      addApplication(lifecycle, random, record, subject, Math.max(from, record.recordedAt.getTime() + dayMs) + random.int(0, 20) * dayMs, {
        status: 'APPROVED',
        correction: '已履行相关义务并完成整改',
        evidence: ['履行义务凭证', '整改完成情况报告'],
        decision: '当事人已纠正失信行为、履行相关义务并作出信用承诺，同意修复',
      });
    }
  });
  return lifecycle;
}

function addObjection(lifecycle: Lifecycle, random: Random, record: CreditRecord, subject: DemoSubject, at: number, spec: NonNullable<IllustrativeCase['objection']>): void {
  const submittedAt = atMost(at);
  const decidedAt = spec.status === 'SUBMITTED' ? null : atMost(at + 8 * dayMs);
  const department = clerk(record.sourceDepartment);
  const objection = Object.assign(new CreditRecordObjection(), {
    id: random.uuid(),
    recordId: record.id,
    subjectId: record.subjectId,
    sourceDepartment: record.sourceDepartment,
    status: spec.status,
    reason: spec.reason,
    submittedBy: selfActor(subject).userId,
    submittedByOrganisation: selfActor(subject).organisation,
    submittedAt,
    resolution: spec.resolution ?? null,
    decidedBy: decidedAt ? department.userId : null,
    decidedByOrganisation: decidedAt ? department.organisation : null,
    decidedAt,
    decisionReason: spec.decision ?? null,
  });
  lifecycle.objections.push(objection);
  const event = (kind: CreditRecordEvent['kind'], actor: Actor, time: Date, details: { reason: string; before?: RecordValues; after?: RecordValues }) =>
    lifecycle.events.push(recordEvent(record.id, kind, actor, time, { id: random.uuid(), relatedId: objection.id, ...details }));
  const previous = spec.status === 'SUBMITTED' ? record.status : 'ACTIVE';
  event('OBJECTED', selfActor(subject), submittedAt, { reason: spec.reason, before: { status: 'ACTIVE' }, after: { status: 'OBJECTED' } });
  if (!decidedAt || !spec.decision) return;
  if (spec.status === 'REJECTED') event('OBJECTION_REJECTED', department, decidedAt, { reason: spec.decision, before: { status: 'OBJECTED' }, after: { status: previous } });
  else if (spec.resolution === 'WITHDRAWN') event('WITHDRAWN', department, decidedAt, { reason: spec.decision, ...endingDisclosure(record, decidedAt, 'OBJECTED', 'WITHDRAWN') });
  else {
    // The fine was entered with one zero too many: the summary as it read before the correction.
    const before = record.summary.replace(/罚款(\d+)元/, (_m, amount: string) => `罚款${amount}0元`);
    event('CORRECTED', department, decidedAt, { reason: spec.decision, before: { summary: before, status: 'OBJECTED' }, after: { summary: record.summary, status: 'ACTIVE' } });
  }
}

function addApplication(lifecycle: Lifecycle, random: Random, record: CreditRecord, subject: DemoSubject, at: number, spec: NonNullable<IllustrativeCase['application']>): void {
  const submittedAt = atMost(at);
  const decidedAt = spec.status === 'SUBMITTED' ? null : atMost(at + 10 * dayMs);
  const department = clerk(record.sourceDepartment);
  const application = Object.assign(new RestorationApplication(), {
    id: random.uuid(),
    recordId: record.id,
    subjectId: record.subjectId,
    sourceDepartment: record.sourceDepartment,
    status: spec.status,
    correction: spec.correction,
    evidence: spec.evidence,
    commitment,
    submittedBy: selfActor(subject).userId,
    submittedByOrganisation: selfActor(subject).organisation,
    submittedAt,
    decidedBy: decidedAt ? department.userId : null,
    decidedByOrganisation: decidedAt ? department.organisation : null,
    decidedAt,
    decisionReason: spec.decision ?? null,
  });
  lifecycle.applications.push(application);
  if (spec.status === 'APPROVED' && decidedAt) {
    lifecycle.events.push(recordEvent(record.id, 'RESTORED', department, decidedAt, { id: random.uuid(), relatedId: application.id, reason: spec.decision, ...endingDisclosure(record, decidedAt, 'ACTIVE', 'RESTORED') }));
  }
}

/**
 * A restoration or a withdrawal decided at `decidedAt` ends the record's disclosure on its day, as
 * the lifecycle's decisions do (`disclosureEndedBy`): the record, not yet stored, is given that
 * end, and its event's values tell the change.
 */
function endingDisclosure(record: CreditRecord, decidedAt: Date, from: StoredRecordStatus, to: StoredRecordStatus): { before: RecordValues; after: RecordValues } {
  const ended = disclosureEndedBy(record.disclosureEndsAt, todayInDistrict(decidedAt));
  const moved = ended !== record.disclosureEndsAt ? { before: { disclosureEndsAt: record.disclosureEndsAt }, after: { disclosureEndsAt: ended } } : { before: {}, after: {} };
  record.disclosureEndsAt = ended;
  return { before: { ...moved.before, status: from }, after: { ...moved.after, status: to } };
}

/** How a department numbers its decision documents. */
interface DocumentStyle {
  department: string;
  /** 文书字号 such as 北戴河市监罚; the court numbers its enforcement cases （2025）冀0304执118号. */
  prefix: string;
}

const court: DocumentStyle = { department: 'PEOPLES_COURT', prefix: '冀0304执' };

/** Numbers per document series and year, increasing, so (department, number) is unique. */
class DocumentNumbers {
  private readonly last = new Map<string, number>();

  constructor(private readonly random: Random) {}

  next(style: DocumentStyle, year: number): string {
    const key = `${style.department}|${style.prefix}|${year}`;
    const n = (this.last.get(key) ?? this.random.int(0, 20)) + this.random.int(1, 6);
    this.last.set(key, n);
    return style.department === 'PEOPLES_COURT' ? `（${year}）${style.prefix}${n}号` : `${style.prefix}〔${year}〕${n}号`;
  }
}

/** A record to seed, before the subject, document number and id are attached. */
interface Fixture {
  category: RecordCategoryCode;
  document: DocumentStyle;
  polarity: Polarity;
  severity?: Severity;
  taxCreditGrade?: TaxCreditGrade;
  decisionDate: string;
  status?: StoredRecordStatus;
  summary: string;
}

/** Enters the platform a few days after the decision, in office hours (China time); old decisions on launch day. */
function recordedAt(decisionDate: string, random: Random): Date {
  const day = decisionDate < platformLaunch ? platformLaunch : addDays(decisionDate, random.int(0, 5));
  // 09:00–18:00 in China is 01:00–10:00 UTC.
  return new Date(Date.parse(`${day}T01:00:00Z`) + random.int(0, 9 * 3_600_000 - 1));
}

const isPerson = (subject: DemoSubject) => subject.kind === 'NATURAL_PERSON';
const series = (department: string, prefix: string): DocumentStyle => ({ department, prefix });

function fixture(category: RecordCategoryCode, document: DocumentStyle, polarity: Polarity, decisionDate: string, summary: string, extra: Pick<Fixture, 'severity' | 'status'> = {}): Fixture {
  return { category, document, polarity, decisionDate, summary, ...extra };
}

// ---------------------------------------------------------------------------------------------
// The illustrative set (see the table above).

function illustrativeRecords(index: number, subject: DemoSubject): Fixture[] {
  const person = isPerson(subject);
  switch (index) {
    case 0:
      return person
        ? [
            fixture('RED_LIST_HONOUR', series('CREDIT_OFFICE', '北戴河信用激'), 'POSITIVE', '2025-12-18', '获评北戴河区2025年度“诚信之星”'),
            fixture('CREDIT_COMMITMENT', series('HUMAN_RESOURCES', '北戴河人社诺'), 'NEUTRAL', '2026-03-09', '报考专业技术人员职业资格时作出个人信用承诺'),
          ]
        : [
            fixture('REGISTRATION_BASICS', series('ADMINISTRATIVE_APPROVAL', '北戴河审批设登'), 'NEUTRAL', subject.registrationDate ?? '2015-06-01', establishmentSummary(subject)),
            fixture('CREDIT_COMMITMENT', series('FINANCE', '北戴河财诺'), 'NEUTRAL', '2025-07-02', '参加政府采购活动时作出信用承诺'),
            fixture('RED_LIST_HONOUR', series('CREDIT_OFFICE', '北戴河信用激'), 'POSITIVE', '2026-01-20', '列入北戴河区守信激励对象名单（诚信示范企业）'),
            taxGrade(2024, 'A', '2025-04-22'),
            taxGrade(2025, 'A', '2026-04-21'),
          ];
    case 1:
      return [
        person
          ? fixture('ADMINISTRATIVE_PENALTY', series('TRANSPORT', '北戴河交罚'), 'NEGATIVE', '2026-08-14', '未取得道路运输经营许可擅自从事道路旅客运输经营，罚款10000元', { severity: 'GENERAL' })
          : fixture('ADMINISTRATIVE_PENALTY', series('MARKET_REGULATION', '北戴河市监罚'), 'NEGATIVE', '2026-08-14', '销售超过保质期的食品，没收违法所得860元并罚款15000元', { severity: 'GENERAL' }),
      ];
    case 2:
      return [
        person
          ? fixture('ADMINISTRATIVE_PENALTY', series('NATURAL_RESOURCES', '北戴河资规罚'), 'NEGATIVE', '2026-03-10', '未经批准非法占用耕地360平方米建房，责令退还土地、限期拆除并罚款10800元', {
              severity: 'SERIOUS',
            })
          : fixture(
              'ADMINISTRATIVE_PENALTY',
              series('FINANCE', '北戴河财罚'),
              'NEGATIVE',
              '2026-03-10',
              '在政府采购活动中提供虚假材料谋取中标，处采购金额千分之五罚款计12600元，列入不良行为记录名单，一年内禁止参加政府采购活动',
              { severity: 'SERIOUS' },
            ),
      ];
    case 3:
      return [
        fixture('ADMINISTRATIVE_PENALTY', series('HUMAN_RESOURCES', '北戴河人社监罚'), 'NEGATIVE', '2026-01-12', '拖欠劳动者工资，逾期未按责令改正指令支付，罚款20000元', { severity: 'GENERAL' }),
        fixture('SERIOUS_DISHONESTY_LIST', series('HUMAN_RESOURCES', '北戴河人社欠薪失'), 'NEGATIVE', '2026-03-18', '拖欠农民工工资386500元，经责令限期支付逾期未支付，列入拖欠农民工工资失信联合惩戒对象名单'),
      ];
    case 4:
      return [
        person
          ? fixture('DISHONEST_JUDGMENT_DEBTOR', court, 'NEGATIVE', '2026-02-03', '拒不履行民间借贷纠纷判决确定的还款义务，未履行金额186000元')
          : fixture('DISHONEST_JUDGMENT_DEBTOR', court, 'NEGATIVE', '2026-02-03', '有履行能力而拒不履行生效法律文书确定的给付义务，未履行金额1280000元'),
      ];
    case 5: {
      const restored = { severity: 'GENERAL', status: 'RESTORED' } as const;
      return [
        person
          ? fixture('ADMINISTRATIVE_PENALTY', series('TRANSPORT', '北戴河交罚'), 'NEGATIVE', '2025-06-16', '未取得道路运输经营许可擅自从事道路旅客运输经营，罚款10000元（已履行，信用修复）', restored)
          : fixture('ADMINISTRATIVE_PENALTY', series('HOUSING_CONSTRUCTION', '北戴河住建罚'), 'NEGATIVE', '2025-06-16', '未取得施工许可证擅自施工，责令停止施工并罚款32000元（已整改，信用修复）', restored),
      ];
    }
    case 6:
      return [
        person
          ? fixture('DISHONEST_JUDGMENT_DEBTOR', court, 'NEGATIVE', '2023-03-15', '拒不履行买卖合同纠纷判决确定的给付义务，未履行金额42000元')
          : fixture('ADMINISTRATIVE_PENALTY', series('MARKET_REGULATION', '北戴河市监罚'), 'NEGATIVE', '2024-05-20', '发布虚假广告，责令停止发布并罚款30000元', { severity: 'GENERAL' }),
      ];
    case 7: {
      const objected = { severity: 'GENERAL', status: 'OBJECTED' } as const;
      const withdrawn = { severity: 'MINOR', status: 'WITHDRAWN' } as const;
      return person
        ? [
            fixture('ADMINISTRATIVE_ENFORCEMENT', series('HOUSING_CONSTRUCTION', '北戴河住建强'), 'NEGATIVE', '2026-10-12', '违法建设逾期未自行拆除，依法强制拆除（当事人对主体认定提出异议）', objected),
            fixture('CREDIT_COMMITMENT', series('HUMAN_RESOURCES', '北戴河人社诺'), 'NEUTRAL', '2026-05-06', '申领职业技能提升补贴时作出个人信用承诺'),
            fixture('ADMINISTRATIVE_PENALTY', series('ECOLOGY_ENVIRONMENT', '秦北环罚'), 'NEGATIVE', '2026-06-03', '在人口集中地区露天焚烧垃圾，责令改正并罚款500元（异议成立，已撤销）', withdrawn),
          ]
        : [
            fixture('REGISTRATION_BASICS', series('ADMINISTRATIVE_APPROVAL', '北戴河审批变登'), 'NEUTRAL', '2024-09-03', '变更登记：法定代表人变更'),
            fixture('ADMINISTRATIVE_LICENSING', series('ADMINISTRATIVE_APPROVAL', '北戴河审批许'), 'NEUTRAL', '2025-03-27', licenceSummary(subject, 0)),
            fixture('ADMINISTRATIVE_ENFORCEMENT', series('TAXATION', '北戴河税强'), 'NEGATIVE', '2026-10-12', '逾期未缴纳税款48600元，经催告仍未缴纳，依法冻结银行存款（当事人对欠税金额提出异议）', objected),
            fixture('CONTRACT_PERFORMANCE', series('FINANCE', '北戴河财采履'), 'POSITIVE', '2025-12-05', '政府采购合同履约验收合格，履约评价为优秀'),
            taxGrade(2025, 'B', '2026-04-21'),
            fixture('ADMINISTRATIVE_PENALTY', series('MARKET_REGULATION', '北戴河市监罚'), 'NEGATIVE', '2026-06-03', '未按规定公示年度报告，罚款2000元（异议成立，已撤销）', withdrawn),
          ];
    }
    default:
      return [];
  }
}

function taxGrade(year: number, grade: TaxCreditGrade, decisionDate: string): Fixture {
  // M and D in the tax bureau's words (纳税信用管理办法), as TaxCreditGrade says them: M without
  // income only with a score of 70 or more; D not 严重失信, which names the serious-dishonesty list
  // (严重失信主体名单), a category of its own.
  const note = grade === 'M' ? '（新设立企业，或评价年度内无生产经营业务收入且评价得分70分以上）' : grade === 'D' ? '（年度评价指标得分不满40分或者直接判级确定）' : '';
  return { category: 'TAX_CREDIT_GRADE', document: series('TAXATION', '北戴河税信评'), polarity: taxGradePolarity[grade], taxCreditGrade: grade, decisionDate, summary: `${year}年度纳税信用等级评定为${grade}级${note}` };
}

function establishmentSummary(subject: DemoSubject): string {
  if (subject.kind === 'INDIVIDUAL_BUSINESS') return '个体工商户设立登记，核发营业执照';
  if (subject.kind === 'OTHER_ORGANISATION') return '法人设立登记，核发法人登记证书';
  return '企业设立登记，核发营业执照（有限责任公司）';
}

/** A licence that fits the subject's trade, read from its name. */
function licenceSummary(subject: DemoSubject, variant: number): string {
  const name = subject.name;
  const renewal = variant % 3 === 1 ? '延续' : variant % 3 === 2 ? '变更' : '核发';
  if (/餐饮|食品|饭店|海鲜|超市|便利店/.test(name)) return `食品经营许可证${renewal}（经营项目：预包装食品销售、热食类食品制售）`;
  if (/酒店|民宿|旅游/.test(name)) return `公共场所卫生许可证${renewal}（住宿场所）`;
  if (/建筑|市政|装饰|园林/.test(name)) return `建筑业企业资质证书${renewal}（施工总承包三级）`;
  if (/物流|运输|汽车/.test(name)) return `道路运输经营许可证${renewal}（普通货运）`;
  if (/医药|卫生/.test(name)) return `药品经营许可证${renewal}（零售）`;
  if (/水产/.test(name)) return `取水许可证${renewal}（养殖用水）`;
  if (/环保/.test(name)) return `排污许可证${renewal}`;
  if (/学校|老年大学|文化馆|研究所/.test(name)) return `办学许可证${renewal}`;
  return `户外广告设施设置许可${renewal}`;
}

// ---------------------------------------------------------------------------------------------
// Random records for everyone else.

/** One kind of record a subject can get: how often, for whom, and how to write it. */
interface RecordKind {
  /** Relative frequency for organisations and for natural persons (0: never). */
  organisations: number;
  persons: number;
  /** At most one record of a kind with a key per subject (one establishment, one grade a year). */
  key?: (fixture: Fixture) => string;
  make(random: Random, subject: DemoSubject): Fixture;
}

const seedFrom = '2021-01-01';
const seedTo = '2026-11-18';

function amount(random: Random, min: number, max: number, step = 100): number {
  return Math.round(random.int(min, max) / step) * step;
}

/** Gives a negative record its stored status: some under objection, some restored once the minimum period allows. */
function withNegativeStatus(random: Random, record: Fixture): Fixture {
  const roll = random.next();
  // The catalogue's rule, as validation applies it (the day after the minimum period's last day).
  const from = restorableFrom(record.category, record.severity ?? null, record.decisionDate);
  const status = roll < 0.07 ? 'OBJECTED' : roll < 0.22 && from <= demoToday ? 'RESTORED' : 'ACTIVE';
  return { ...record, status };
}

interface PenaltyKind {
  document: DocumentStyle;
  severity: Severity;
  persons: boolean;
  summary: (random: Random) => string;
}

const penalties: PenaltyKind[] = [
  { document: series('MARKET_REGULATION', '北戴河市监罚'), severity: 'MINOR', persons: false, summary: () => '未按规定公示年度报告，罚款2000元' },
  { document: series('MARKET_REGULATION', '北戴河市监罚'), severity: 'MINOR', persons: false, summary: () => '未在经营场所醒目位置悬挂营业执照，责令改正并予以警告' },
  { document: series('MARKET_REGULATION', '北戴河市监罚'), severity: 'GENERAL', persons: false, summary: (r) => `销售超过保质期的食品，没收违法所得${amount(r, 200, 3000, 10)}元并罚款${amount(r, 5000, 50000, 1000)}元` },
  { document: series('MARKET_REGULATION', '北戴河市监罚'), severity: 'GENERAL', persons: false, summary: (r) => `虚构原价进行价格欺诈，罚款${amount(r, 5000, 80000, 1000)}元` },
  { document: series('MARKET_REGULATION', '北戴河市监罚'), severity: 'GENERAL', persons: true, summary: (r) => `未取得食品经营许可从事食品经营活动，没收违法所得并罚款${amount(r, 5000, 20000, 1000)}元` },
  { document: series('MARKET_REGULATION', '北戴河市监罚'), severity: 'SERIOUS', persons: false, summary: (r) => `经营不符合食品安全标准的食品，没收违法所得并罚款${amount(r, 100000, 500000, 10000)}元，吊销食品经营许可证` },
  { document: series('ECOLOGY_ENVIRONMENT', '秦北环罚'), severity: 'GENERAL', persons: false, summary: (r) => `超过大气污染物排放标准排放大气污染物，责令改正并罚款${amount(r, 100000, 500000, 10000)}元` },
  { document: series('ECOLOGY_ENVIRONMENT', '秦北环罚'), severity: 'SERIOUS', persons: false, summary: (r) => `通过暗管逃避监管的方式排放水污染物，罚款${amount(r, 200000, 1000000, 10000)}元，移送公安机关` },
  { document: series('ECOLOGY_ENVIRONMENT', '秦北环罚'), severity: 'MINOR', persons: true, summary: (r) => `在人口集中地区露天焚烧垃圾，责令改正并罚款${amount(r, 500, 2000)}元` },
  { document: series('EMERGENCY_MANAGEMENT', '北戴河应急罚'), severity: 'GENERAL', persons: false, summary: (r) => `未按规定对从业人员进行安全生产教育和培训，责令限期改正并罚款${amount(r, 10000, 50000, 1000)}元` },
  { document: series('EMERGENCY_MANAGEMENT', '北戴河应急罚'), severity: 'SERIOUS', persons: false, summary: (r) => `重大事故隐患未及时排除，责令停产停业整顿并罚款${amount(r, 100000, 500000, 10000)}元` },
  { document: series('HOUSING_CONSTRUCTION', '北戴河住建罚'), severity: 'GENERAL', persons: false, summary: (r) => `未取得施工许可证擅自施工，责令停止施工并罚款${amount(r, 10000, 80000, 1000)}元` },
  { document: series('HOUSING_CONSTRUCTION', '北戴河住建罚'), severity: 'MINOR', persons: false, summary: (r) => `施工现场未采取扬尘污染防治措施，责令改正并罚款${amount(r, 1000, 10000, 500)}元` },
  { document: series('HEALTH', '北戴河卫罚'), severity: 'MINOR', persons: false, summary: () => '安排未取得有效健康合格证明的从业人员从事直接为顾客服务的工作，予以警告' },
  { document: series('HEALTH', '北戴河卫罚'), severity: 'GENERAL', persons: false, summary: (r) => `公共场所卫生质量不符合国家卫生标准，罚款${amount(r, 1000, 20000, 500)}元` },
  { document: series('TAXATION', '北戴河税罚'), severity: 'MINOR', persons: false, summary: (r) => `未按照规定期限办理纳税申报，罚款${amount(r, 200, 2000)}元` },
  { document: series('TAXATION', '北戴河税罚'), severity: 'SERIOUS', persons: false, summary: (r) => `虚开增值税普通发票，没收违法所得并罚款${amount(r, 50000, 500000, 10000)}元` },
  { document: series('TRANSPORT', '北戴河交罚'), severity: 'GENERAL', persons: true, summary: (r) => `未取得道路运输经营许可擅自从事道路旅客运输经营，罚款${amount(r, 10000, 30000, 1000)}元` },
  { document: series('HUMAN_RESOURCES', '北戴河人社监罚'), severity: 'GENERAL', persons: false, summary: (r) => `未与劳动者订立书面劳动合同且逾期未改正，罚款${amount(r, 5000, 20000, 1000)}元` },
  { document: series('NATURAL_RESOURCES', '北戴河资规罚'), severity: 'GENERAL', persons: true, summary: (r) => `未经批准非法占用集体土地${r.int(40, 600)}平方米建设，责令退还并罚款${amount(r, 2000, 30000, 100)}元` },
  { document: series('FINANCE', '北戴河财罚'), severity: 'SERIOUS', persons: false, summary: () => '在政府采购活动中提供虚假材料谋取中标，处采购金额千分之五罚款，列入不良行为记录名单，一年内禁止参加政府采购活动' },
];

const enforcements: PenaltyKind[] = [
  { document: series('MARKET_REGULATION', '北戴河市监强'), severity: 'GENERAL', persons: false, summary: (r) => `对涉嫌不符合食品安全标准的冷冻海产品${r.int(50, 2000)}千克实施查封` },
  { document: series('TAXATION', '北戴河税强'), severity: 'GENERAL', persons: false, summary: (r) => `逾期未缴纳税款${amount(r, 5000, 200000)}元，经催告仍未缴纳，依法冻结银行存款` },
  { document: series('TAXATION', '北戴河税强'), severity: 'SERIOUS', persons: false, summary: (r) => `欠缴税款${amount(r, 100000, 900000, 1000)}元，依法扣押、拍卖财产抵缴税款` },
  { document: series('HOUSING_CONSTRUCTION', '北戴河住建强'), severity: 'GENERAL', persons: true, summary: () => '违法建设逾期未自行拆除，依法强制拆除' },
  { document: series('ECOLOGY_ENVIRONMENT', '秦北环强'), severity: 'GENERAL', persons: false, summary: () => '查封、扣押违法排放污染物的设施、设备' },
];

const seriousLists: { document: DocumentStyle; summary: (random: Random) => string }[] = [
  { document: series('HUMAN_RESOURCES', '北戴河人社欠薪失'), summary: (r) => `拖欠农民工工资${amount(r, 50000, 800000)}元，经责令限期支付逾期未支付，列入拖欠农民工工资失信联合惩戒对象名单` },
  { document: series('MARKET_REGULATION', '北戴河市监严失'), summary: () => '因食品安全严重违法行为受到较重行政处罚，列入市场监督管理严重违法失信名单' },
  { document: series('TAXATION', '北戴河税重失'), summary: (r) => `逃避缴纳税款${r.int(10, 300)}万元且占应纳税额10%以上，列为重大税收违法失信主体` },
  { document: series('EMERGENCY_MANAGEMENT', '北戴河应急严失'), summary: () => '发生生产安全责任事故，列入安全生产严重失信主体名单' },
];

const kinds: RecordKind[] = [
  {
    organisations: 1.2,
    persons: 0,
    key: () => 'establishment',
    make: (_r, s) => fixture('REGISTRATION_BASICS', series('ADMINISTRATIVE_APPROVAL', '北戴河审批设登'), 'NEUTRAL', s.registrationDate ?? seedFrom, establishmentSummary(s)),
  },
  {
    organisations: 1.5,
    persons: 0,
    make: (r, s) =>
      fixture(
        'REGISTRATION_BASICS',
        series('ADMINISTRATIVE_APPROVAL', '北戴河审批变登'),
        'NEUTRAL',
        r.date(s.registrationDate && s.registrationDate > seedFrom ? s.registrationDate : seedFrom, seedTo),
        r.pick(['变更登记：法定代表人变更', '变更登记：住所变更', '变更登记：经营范围变更', `变更登记：注册资本增至${r.int(2, 50) * 50}万元`]),
      ),
  },
  {
    organisations: 3,
    persons: 0,
    make: (r, s) => fixture('ADMINISTRATIVE_LICENSING', series('ADMINISTRATIVE_APPROVAL', '北戴河审批许'), 'NEUTRAL', r.date(seedFrom, seedTo), licenceSummary(s, r.int(0, 2))),
  },
  {
    organisations: 2,
    persons: 1.5,
    make: (r, s) => {
      const [document, summary] = isPerson(s)
        ? r.pick([
            [series('HUMAN_RESOURCES', '北戴河人社诺'), '报考专业技术人员职业资格时作出个人信用承诺'],
            [series('HUMAN_RESOURCES', '北戴河人社诺'), '申领职业技能提升补贴时作出个人信用承诺'],
            [series('ADMINISTRATIVE_APPROVAL', '北戴河审批诺'), '以告知承诺方式申请办理证明事项时作出个人信用承诺'],
          ] as const)
        : r.pick([
            [series('ADMINISTRATIVE_APPROVAL', '北戴河审批诺'), '以告知承诺方式申请行政许可时作出信用承诺'],
            [series('FINANCE', '北戴河财诺'), '参加政府采购活动时作出信用承诺'],
            [series('SCIENCE_TECHNOLOGY', '北戴河科诺'), '申报科技型中小企业扶持资金时作出信用承诺'],
            [series('DEVELOPMENT_REFORM', '北戴河发改诺'), '申报重点项目扶持资金时作出信用承诺'],
          ] as const);
      return fixture('CREDIT_COMMITMENT', document, 'NEUTRAL', r.date(seedFrom, seedTo), summary);
    },
  },
  {
    organisations: 2.5,
    persons: 0,
    key: (f) => f.summary.slice(0, 4), // one grade per tax year
    make: (r) => {
      const year = r.int(2021, 2025);
      const roll = r.next();
      const grade: TaxCreditGrade = roll < 0.3 ? 'A' : roll < 0.75 ? 'B' : roll < 0.88 ? 'M' : roll < 0.96 ? 'C' : 'D';
      // The taxation bureau publishes a year's grades in April of the next year.
      return taxGrade(year, grade, r.date(`${year + 1}-04-08`, `${year + 1}-04-28`));
    },
  },
  {
    organisations: 1,
    persons: 0.8,
    make: (r, s) => {
      const [document, summary] = isPerson(s)
        ? r.pick([
            [series('CREDIT_OFFICE', '北戴河信用激'), '获评北戴河区“诚信之星”'],
            [series('CREDIT_OFFICE', '北戴河信用激'), '被评为北戴河区优秀志愿者，列入守信激励对象名单'],
          ] as const)
        : r.pick([
            [series('CREDIT_OFFICE', '北戴河信用激'), '列入北戴河区守信激励对象名单（诚信示范企业）'],
            [series('MARKET_REGULATION', '北戴河市监表'), '被认定为河北省“守合同重信用”企业'],
            [series('HUMAN_RESOURCES', '北戴河人社表'), '被评为劳动保障守法诚信示范单位'],
          ] as const);
      return fixture('RED_LIST_HONOUR', document, 'POSITIVE', r.date(seedFrom, seedTo), summary);
    },
  },
  {
    organisations: 1,
    persons: 0,
    make: (r) => {
      const roll = r.next();
      const decisionDate = r.date(seedFrom, seedTo);
      if (roll < 0.55) {
        const [document, summary] = r.pick([
          [series('FINANCE', '北戴河财采履'), '政府采购合同履约验收合格，履约评价为优秀'],
          [series('HOUSING_CONSTRUCTION', '北戴河住建履'), '承建项目施工合同履约评价为优良'],
        ] as const);
        return fixture('CONTRACT_PERFORMANCE', document, 'POSITIVE', decisionDate, summary);
      }
      const [document, severity, summary] = r.pick([
        [series('FINANCE', '北戴河财采履'), 'GENERAL', `政府采购合同逾期${r.int(5, 60)}天交付，履约评价为不合格`],
        [series('FINANCE', '北戴河财采履'), 'SERIOUS', '中标后无正当理由拒不与采购人签订政府采购合同'],
        [series('HOUSING_CONSTRUCTION', '北戴河住建履'), 'GENERAL', `承建项目工期滞后${r.int(15, 120)}天，施工合同履约评价为差`],
      ] as const);
      return withNegativeStatus(r, fixture('CONTRACT_PERFORMANCE', document, 'NEGATIVE', decisionDate, summary, { severity }));
    },
  },
  {
    organisations: 3,
    persons: 0.6,
    make: (r, s) => {
      const kind = r.pick(penalties.filter((p) => !isPerson(s) || p.persons));
      return withNegativeStatus(r, fixture('ADMINISTRATIVE_PENALTY', kind.document, 'NEGATIVE', r.date(seedFrom, seedTo), kind.summary(r), { severity: kind.severity }));
    },
  },
  {
    organisations: 0.8,
    persons: 0.2,
    make: (r, s) => {
      const kind = r.pick(enforcements.filter((p) => !isPerson(s) || p.persons));
      return withNegativeStatus(r, fixture('ADMINISTRATIVE_ENFORCEMENT', kind.document, 'NEGATIVE', r.date(seedFrom, seedTo), kind.summary(r), { severity: kind.severity }));
    },
  },
  {
    organisations: 0.6,
    persons: 1.2,
    make: (r, s) => {
      const summary = isPerson(s)
        ? r.pick([
            `拒不履行民间借贷纠纷判决确定的还款义务，未履行金额${amount(r, 10000, 500000)}元`,
            `拒不履行买卖合同纠纷判决确定的给付义务，未履行金额${amount(r, 5000, 200000)}元`,
            '违反财产报告制度，拒不如实报告财产',
          ])
        : r.pick([
            `有履行能力而拒不履行生效法律文书确定的给付义务，未履行金额${amount(r, 50000, 3000000, 1000)}元`,
            '以隐匿、转移财产等方法规避执行',
            '违反财产报告制度，拒不如实报告财产',
          ]);
      return withNegativeStatus(r, fixture('DISHONEST_JUDGMENT_DEBTOR', court, 'NEGATIVE', r.date(seedFrom, seedTo), summary));
    },
  },
  {
    organisations: 0.4,
    persons: 0,
    make: (r) => {
      const kind = r.pick(seriousLists);
      return withNegativeStatus(r, fixture('SERIOUS_DISHONESTY_LIST', kind.document, 'NEGATIVE', r.date(seedFrom, seedTo), kind.summary(r)));
    },
  },
];

/** How many records a subject of each kind gets: enterprises up to 8, natural persons mostly none. */
const recordCounts: Record<DemoSubject['kind'], readonly number[]> = {
  ENTERPRISE: [0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8],
  INDIVIDUAL_BUSINESS: [0, 0, 1, 1, 2, 2, 3, 4, 5],
  OTHER_ORGANISATION: [0, 1, 1, 2, 3, 4],
  NATURAL_PERSON: [0, 0, 0, 0, 0, 1, 1, 2, 3],
};

function randomRecords(subject: DemoSubject, random: Random): Fixture[] {
  const weightOf = (kind: RecordKind) => (isPerson(subject) ? kind.persons : kind.organisations);
  const available = kinds.filter((kind) => weightOf(kind) > 0);
  const total = available.reduce((sum, kind) => sum + weightOf(kind), 0);
  const fixtures: Fixture[] = [];
  const keys = new Set<string>();
  const count = random.pick(recordCounts[subject.kind]);
  for (let i = 0; i < count; i++) {
    let roll = random.next() * total;
    const kind = available.find((k) => (roll -= weightOf(k)) < 0) ?? available[available.length - 1];
    const record = kind.make(random, subject);
    const key = kind.key ? `${kinds.indexOf(kind)}:${kind.key(record)}` : undefined;
    if (key && keys.has(key)) continue;
    if (key) keys.add(key);
    // A non-negative record under objection: the subject disputes, say, a wrong registration detail.
    if (record.polarity !== 'NEGATIVE' && random.chance(0.02)) record.status = 'OBJECTED';
    fixtures.push(record);
  }
  return fixtures;
}
