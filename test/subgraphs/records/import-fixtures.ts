import { detectIdentifierKind, unifiedSocialCreditCode, validateCitizenIdNumber, validateUnifiedSocialCreditCode } from '../../../lib/identifiers';
import type { DemoWorld } from '../../../scripts/demo/world';

/** One expected rejection of a generated file. */
export interface ExpectedRejection {
  row: number;
  field: string | null;
  reason: string;
}

export interface GeneratedFile {
  bytes: Buffer;
  rows: number;
  /** Document numbers of the rows that must be stored. */
  valid: string[];
  rejections: ExpectedRejection[];
}

export const header = 'subject_code,category,severity,document_number,decision_date,valid_until,summary';
/** A valid code no demo subject has. */
export const unregisteredCode = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0UNKN0' });
/** "中文" in GBK: not UTF-8. */
const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * A market regulation bureau's daily file of `count` rows (CSV, UTF-8), every 80th row bad in one
 * of six ways, in turn: a code with a wrong check character, an unknown subject, an unknown
 * category, a validity that ends before the decision, a document number already used by the row
 * before, a summary in GBK bytes. `variant` changes the summaries of the rows it names (a
 * corrected file). Deterministic.
 */
export function marketRegulationFile(world: DemoWorld, count: number, options: { corrected?: ReadonlySet<number> } = {}): GeneratedFile {
  const lines: Buffer[] = [Buffer.from(`${header}\n`)];
  const valid: string[] = [];
  const rejections: ExpectedRejection[] = [];
  for (let row = 1; row <= count; row++) {
    const subject = world.subjects[(row * 7) % world.subjects.length];
    const decisionDate = addDays('2021-01-01', row % 1500);
    const documentNumber = `北戴河市监罚〔${decisionDate.slice(0, 4)}〕${row}号`;
    const kind = row % 3;
    const fields = {
      code: subject.identifier,
      category: kind === 0 ? 'ADMINISTRATIVE_PENALTY' : kind === 1 ? 'ADMINISTRATIVE_LICENSING' : 'CREDIT_COMMITMENT',
      severity: kind === 0 ? (['MINOR', 'GENERAL', 'SERIOUS'] as const)[row % 9 === 0 ? 2 : row % 2] : '',
      documentNumber,
      decisionDate,
      validUntil: kind === 1 ? addDays(decisionDate, 1825) : '',
      summary:
        kind === 0
          ? `销售超过保质期的食品, 没收违法所得${row % 900}元并罚款${(row % 40) * 1000 + 1000}元`
          : kind === 1
            ? `食品经营许可证核发（许可证编号JY1130304${String(row).padStart(6, '0')}）`
            : `以告知承诺方式申请行政许可时作出信用承诺（第${row}号）`,
    };
    if (options.corrected?.has(row)) fields.summary += '（更正）';
    let summaryBytes: Buffer | undefined;
    if (row % 80 === 0) {
      switch ((row / 80) % 6) {
        case 0: {
          const last = subject.identifier[17];
          const wrong = `${subject.identifier.slice(0, 17)}${last === '0' ? '1' : '0'}`;
          fields.code = wrong;
          const person = detectIdentifierKind(wrong) === 'CITIZEN_ID_NUMBER';
          const message = person ? validateCitizenIdNumber(wrong).message : validateUnifiedSocialCreditCode(wrong).message;
          rejections.push({ row, field: 'subjectCode', reason: `invalid ${person ? 'citizen ID number' : 'unified social credit code'} "${wrong}": ${message}` });
          break;
        }
        case 1:
          fields.code = unregisteredCode;
          rejections.push({ row, field: 'subjectCode', reason: `no subject with the code ${unregisteredCode} is registered on the platform` });
          break;
        case 2:
          fields.category = 'PARKING_TICKET';
          fields.severity = '';
          rejections.push({ row, field: 'category', reason: 'category must be a catalogue code such as ADMINISTRATIVE_PENALTY, got "PARKING_TICKET"' });
          break;
        case 3:
          fields.validUntil = addDays(decisionDate, -1);
          rejections.push({ row, field: 'validUntil', reason: `validUntil (${fields.validUntil}) must not be before the decision date (${decisionDate})` });
          break;
        case 4: {
          const previous = `北戴河市监罚〔${addDays('2021-01-01', (row - 1) % 1500).slice(0, 4)}〕${row - 1}号`;
          fields.documentNumber = previous;
          rejections.push({ row, field: 'documentNumber', reason: `documentNumber ${previous} already appears in row ${row - 1} of this batch; a decision is sent once` });
          break;
        }
        case 5:
          summaryBytes = Buffer.concat([Buffer.from('罚款'), gbk, Buffer.from('100元')]);
          rejections.push({ row, field: 'summary', reason: 'summary holds bytes that are not UTF-8 (乱码); the file must be UTF-8 throughout' });
          break;
      }
    } else {
      valid.push(documentNumber);
    }
    const text = [fields.code, fields.category, fields.severity, fields.documentNumber, fields.decisionDate, fields.validUntil].map(quote).join(',');
    lines.push(Buffer.from(`${text},`), summaryBytes ?? Buffer.from(quote(fields.summary)), Buffer.from(row % 10 === 0 ? '\r\n' : '\n'));
  }
  return { bytes: Buffer.concat(lines), rows: count, valid, rejections };
}
