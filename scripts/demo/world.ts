import { addDays } from '../../lib/calendar';
import { citizenIdNumber, unifiedSocialCreditCode, USCC_ALPHABET } from '../../lib/identifiers';
import { Random } from './random';

/**
 * The demo world every subgraph's seed draws from: subjects and providers with stable ids and
 * valid codes, so that records, reports and audit entries of different databases refer to the
 * same subjects. Deterministic: the same size gives the same world, on every machine.
 */
export type DemoSubjectKind = 'ENTERPRISE' | 'OTHER_ORGANISATION' | 'INDIVIDUAL_BUSINESS' | 'NATURAL_PERSON';

export interface DemoSubject {
  id: string;
  kind: DemoSubjectKind;
  name: string;
  identifier: string;
  identifierKind: 'UNIFIED_SOCIAL_CREDIT_CODE' | 'CITIZEN_ID_NUMBER';
  registeredAddress: string;
  legalRepresentative: string | null;
  status: 'ACTIVE' | 'ABNORMAL' | 'REVOKED' | 'DEREGISTERED';
  registrationDate: string | null;
}

export interface DemoProvider {
  id: string;
  unifiedSocialCreditCode: string;
  name: string;
  registeredAddress: string;
  legalRepresentative: string;
  businessScope: string;
  contact: string;
  filingStatus: 'APPLIED' | 'FILED' | 'SUSPENDED' | 'REVOKED';
  supervisionClass: 'A' | 'B' | 'C' | 'D' | null;
  filedOn: string | null;
  /** The names it was filed under before an approved change of name (变更备案), oldest first: `name` is the current one. */
  formerNames: DemoFormerName[];
}

/** A name a demo provider was filed under, and the day the change that replaced it took effect (it bore it that day too). */
export interface DemoFormerName {
  name: string;
  until: string;
}

export interface DemoWorld {
  subjects: DemoSubject[];
  providers: DemoProvider[];
  /** A generator per purpose, so adding data of one kind never reshuffles another. */
  random(purpose: string): Random;
}

export const beidaiheDivision = '130304';

/** The demo bank (a financial institution reading with consents), as its tokens name it. */
export const demoBankOrganisation = 'BANK_HEBEI_BEIDAIHE';

const places = ['海滨', '金沙', '联峰', '鸽子窝', '戴河', '刘庄', '草场', '西山', '东山', '南戴河', '赤土山', '牛头崖', '蔡各庄', '戴河口'];
const trades = ['建筑工程', '旅游开发', '餐饮管理', '酒店管理', '商贸', '物流', '医药', '食品', '环保科技', '园林绿化', '装饰工程', '信息技术', '水产养殖', '市政工程', '物业服务', '运输'];
const brands = ['宏达', '鑫源', '华泰', '兴盛', '恒通', '金海', '广源', '瑞丰', '东方', '盛世', '天润', '海韵', '嘉禾', '宇航', '昌隆', '润泽', '锦程', '百川', '中联', '永安'];
const shops = ['饭店', '民宿', '超市', '海鲜排档', '便利店', '渔具店', '照相馆', '汽车修理部'];
const organisations = ['旅游协会', '餐饮行业协会', '民宿协会', '社区卫生服务中心', '职业技术学校', '文化馆', '老年大学', '海洋研究所'];
const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '郑'];
const givenNames = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '桂兰', '建华', '志强', '海燕', '晓东', '春梅'];
const roads = ['保二路', '东经路', '西经路', '海宁路', '联峰路', '草厂路', '刘庄路', '车站路', '戴河路', '中海滩路'];

/** Eight characters of a GB 11714 organisation code body, drawn from the USCC alphabet. */
function organisationBody(random: Random): string {
  return Array.from({ length: 8 }, () => USCC_ALPHABET[random.int(0, USCC_ALPHABET.length - 1)]).join('');
}

function personName(random: Random): string {
  return random.pick(surnames) + random.pick(givenNames);
}

function address(random: Random): string {
  return `河北省秦皇岛市北戴河区${random.pick(roads)}${random.int(1, 300)}号`;
}

/** The body `steps` further on in the alphabet's order (as a number written in USCC_ALPHABET), wrapping round. */
function bodyAfter(body: string, steps: number): string {
  const base = USCC_ALPHABET.length;
  let value = [...body].reduce((n, ch) => n * base + USCC_ALPHABET.indexOf(ch), 0) + steps;
  let next = '';
  for (let i = 0; i < body.length; i++, value = Math.floor(value / base)) next = USCC_ALPHABET[value % base] + next;
  return next;
}

/**
 * The first code `candidate(0)`, `candidate(1)`, … that no earlier subject has. A code is drawn
 * from a birth date and a three-digit sequence number, or from eight characters, and past some
 * ten thousand subjects a drawn code repeats an earlier one (the subject table's identifier is
 * unique: the seed failed on SQLite, and MySQL dropped the subject). The repeat takes the next
 * free code instead, found without drawing, so that every other subject stays as drawn and a
 * world is the first part of every larger one.
 */
function freeCode(taken: Set<string>, candidate: (step: number) => string): string {
  for (let step = 0; ; step++) {
    const code = candidate(step);
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
  }
}

function subjectAt(random: Random, index: number, taken: Set<string>): DemoSubject {
  const roll = random.next();
  const kind: DemoSubjectKind = roll < 0.55 ? 'ENTERPRISE' : roll < 0.7 ? 'INDIVIDUAL_BUSINESS' : roll < 0.78 ? 'OTHER_ORGANISATION' : 'NATURAL_PERSON';
  const statusRoll = random.next();
  const status = statusRoll < 0.9 ? 'ACTIVE' : statusRoll < 0.96 ? 'ABNORMAL' : statusRoll < 0.98 ? 'REVOKED' : 'DEREGISTERED';
  const id = random.uuid();
  if (kind === 'NATURAL_PERSON') {
    const birthDate = random.date('1950-01-01', '2004-12-31');
    // The next sequence numbers of the same birth date, then of the days before it.
    const sequence = index % 1000;
    const candidate = (step: number) =>
      citizenIdNumber({ division: beidaiheDivision, birthDate: addDays(birthDate, -Math.floor((sequence + step) / 1000)).replaceAll('-', ''), sequence: String((sequence + step) % 1000).padStart(3, '0') });
    return {
      id,
      kind,
      name: personName(random),
      identifier: freeCode(taken, candidate),
      identifierKind: 'CITIZEN_ID_NUMBER',
      registeredAddress: address(random),
      legalRepresentative: null,
      status: 'ACTIVE',
      registrationDate: null,
    };
  }
  // Registration authority and organisation type, GB 32100-2015 positions 1-2.
  const [authority, orgType, name] =
    kind === 'ENTERPRISE'
      ? ['9', '1', `秦皇岛市北戴河区${random.pick(places)}${random.pick(brands)}${random.pick(trades)}有限公司`]
      : kind === 'INDIVIDUAL_BUSINESS'
        ? ['9', '2', `北戴河区${random.pick(places)}${personName(random)}${random.pick(shops)}`]
        : random.chance(0.5)
          ? ['5', '1', `北戴河区${random.pick(organisations.slice(0, 3))}`]
          : ['1', '2', `北戴河区${random.pick(organisations.slice(3))}`];
  const body = organisationBody(random);
  return {
    id,
    kind,
    // Generated names repeat; the index keeps them distinguishable in the demo, as branch numbers would.
    name,
    identifier: freeCode(taken, (step) => unifiedSocialCreditCode({ authority, orgType, division: beidaiheDivision, organisationBody: bodyAfter(body, step) })),
    identifierKind: 'UNIFIED_SOCIAL_CREDIT_CODE',
    registeredAddress: address(random),
    legalRepresentative: personName(random),
    status,
    registrationDate: random.date('1995-01-01', '2025-12-31'),
  };
}

const providerNames = [
  '河北诚信评估有限公司', '秦皇岛信用管理咨询有限公司', '中诚信北方征信有限公司', '冀东资信评估有限公司',
  '北戴河联合信用服务有限公司', '华北企业信用评价中心有限公司', '渤海信用科技有限公司', '京津冀征信服务有限公司',
  '燕山资信评级有限公司', '海港区信用数据有限公司', '河北金信评估咨询有限公司', '秦皇岛公信信用服务有限公司',
];

/**
 * Changes of name, by provider index, fixed rather than drawn so that no other provider's data moves:
 * world.providers[1] (FILED, class A, filed 2023-08-31) was filed as 北戴河信用服务有限公司 until
 * 2026-09-01, between the reports it issued under each name. A former name is no provider's name.
 */
const formerNamesByIndex: Record<number, DemoFormerName[]> = {
  1: [{ name: '北戴河信用服务有限公司', until: '2026-09-01' }],
};

function providerAt(random: Random, index: number): DemoProvider {
  // Most providers are filed; a few show the other states of the registry.
  const filingStatus = index === 9 ? 'APPLIED' : index === 10 ? 'SUSPENDED' : index === 11 ? 'REVOKED' : 'FILED';
  const supervisionClass = filingStatus === 'APPLIED' ? null : (['A', 'A', 'B', 'B', 'B', 'C', 'A', 'B', 'D', null, 'C', 'D'] as const)[index];
  return {
    id: random.uuid(),
    unifiedSocialCreditCode: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: index % 3 === 0 ? beidaiheDivision : '130302', organisationBody: organisationBody(random) }),
    name: providerNames[index % providerNames.length],
    registeredAddress: address(random),
    legalRepresentative: personName(random),
    businessScope: '企业征信业务；信用评估；信用管理咨询',
    contact: `0335-${random.int(4000000, 4999999)}`,
    filingStatus,
    supervisionClass,
    filedOn: filingStatus === 'APPLIED' ? null : random.date('2019-01-01', '2024-12-31'),
    formerNames: formerNamesByIndex[index] ?? [],
  };
}

/**
 * The name a demo provider's report issued on `date` bears: the name it was filed under that day.
 * On the day a change took effect either is right (the registry keeps the day, not the hour); the
 * new one, as registration takes it when the name is left out.
 */
export function demoProviderNameOn(provider: DemoProvider, date: string): string {
  return provider.formerNames.find((former) => date < former.until)?.name ?? provider.name;
}

export function demoWorld(size: { subjects: number; providers?: number } = { subjects: 300 }): DemoWorld {
  const subjectRandom = new Random(20201012);
  const providerRandom = new Random(920);
  const taken = new Set<string>();
  return {
    subjects: Array.from({ length: size.subjects }, (_, i) => subjectAt(subjectRandom, i, taken)),
    providers: Array.from({ length: size.providers ?? 12 }, (_, i) => providerAt(providerRandom, i)),
    random: (purpose) => new Random([...purpose].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7)),
  };
}
