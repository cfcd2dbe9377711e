import { addMonths } from '../../../lib/catalogue/record-categories';
import { todayInDistrict } from '../../../lib/calendar';
import { maxQuotedCharacters } from '../../../lib/errors';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { maxBatchRows } from '../../../subgraphs/records/resolvers';
import { testDatabases } from '../../helpers/databases';
import { bankUser, officerOf, useRecordsWithSubjects } from './records-harness';

const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitCreditRecordInput!) {
    submitCreditRecord(input: $input) {
      outcome
      record { id subject { id } category polarity severity sourceDepartment { code } documentNumber decisionDate disclosureEndsAt validUntil status summary
        history { kind actor organisation before after } }
    }
  }
`;
const SUBMIT_MANY = /* GraphQL */ `
  mutation SubmitMany($rows: [SubmitCreditRecordInput!]!) {
    submitCreditRecords(rows: $rows) { created updated unchanged rejected rejections { row field reason problem documentNumber } }
  }
`;

interface Submission {
  outcome: string;
  record: Record<string, unknown> & { id: string; history: { kind: string; actor: string; organisation: string; before: string | null; after: string | null }[] };
}
interface BatchResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: { row: number; field: string | null; reason: string; problem: string | null; documentNumber: string | null }[];
}

/** A valid code that no demo subject has. */
const unknownCode = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0UNKN0' });
const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe.each(testDatabases)('record intake mutations on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'intake');
  const market = officerOf('MARKET_REGULATION');
  const today = todayInDistrict();
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
  const penalty = (documentNumber: string, extra: Record<string, unknown> = {}) => ({
    subjectCode: enterprise.identifier,
    category: 'ADMINISTRATIVE_PENALTY',
    severity: 'GENERAL',
    documentNumber,
    decisionDate: addDays(today, -20),
    summary: '销售超过保质期的食品，罚款15000元',
    ...extra,
  });
  const submit = (input: Record<string, unknown>, identity = market) => records.queryAs<{ submitCreditRecord: Submission | null }>(identity, SUBMIT, { input });
  const submitMany = (rows: Record<string, unknown>[], identity = market) => records.queryAs<{ submitCreditRecords: BatchResult }>(identity, SUBMIT_MANY, { rows });
  const count = () => records.db().getRepository(CreditRecord).count();
  const eventCount = () => records.db().getRepository(CreditRecordEvent).count();

  describe('submitCreditRecord', () => {
    it('stores a record in the caller’s department’s name, with its disclosure end and a CREATED event', async () => {
      const result = await submit(penalty('北戴河市监罚〔2026〕901号'));
      expect(result.errors).toBeUndefined();
      expect(result.data?.submitCreditRecord?.outcome).toBe('CREATED');
      expect(result.data?.submitCreditRecord?.record).toMatchObject({
        subject: { id: enterprise.id },
        category: 'ADMINISTRATIVE_PENALTY',
        polarity: 'NEGATIVE',
        severity: 'GENERAL',
        sourceDepartment: { code: 'MARKET_REGULATION' },
        decisionDate: addDays(today, -20),
        disclosureEndsAt: addMonths(addDays(today, -20), 12),
        status: 'ACTIVE',
        history: [{ kind: 'CREATED', actor: 'officer-market_regulation', organisation: 'MARKET_REGULATION', before: null, after: null }],
      });
    });

    it('changes nothing when the same record is sent again', async () => {
      const [records0, events0] = [await count(), await eventCount()];
      const result = await submit(penalty('北戴河市监罚〔2026〕901号', { summary: '  销售超过保质期的食品，罚款15000元 ', category: 'administrative_penalty' }));
      expect(result.data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
      expect([await count(), await eventCount()]).toEqual([records0, events0]);
    });

    it('stores a summary\'s line breaks as LF, whether the row ends its lines in CRLF, LF or CR', async () => {
      const result = await submit(penalty('北戴河市监罚〔2026〕911号', { summary: '第一行\r\n第二行\r第三行\n第四行' }));
      expect(result.data?.submitCreditRecord).toMatchObject({ outcome: 'CREATED', record: { summary: '第一行\n第二行\n第三行\n第四行' } });
      expect((await records.db().getRepository(CreditRecord).findOneByOrFail({ documentNumber: '北戴河市监罚〔2026〕911号' })).summary).toBe('第一行\n第二行\n第三行\n第四行');
      expect((await submit(penalty('北戴河市监罚〔2026〕911号', { summary: '第一行\r\n第二行\r\n第三行\r\n第四行' }))).data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
    });

    it('takes a summary stored with CRLF and re-sent with LF as unchanged, and keeps it as stored when the record is corrected', async () => {
      const documentNumber = '北戴河市监罚〔2026〕912号';
      expect((await submit(penalty(documentNumber))).data?.submitCreditRecord?.outcome).toBe('CREATED');
      // As a record stored before intake wrote LF holds it.
      await records.db().getRepository(CreditRecord).update({ documentNumber }, { summary: '未按规定公示年度报告：\r\n罚款2000元' });
      const [records0, events0] = [await count(), await eventCount()];
      const resent = await submit(penalty(documentNumber, { summary: '未按规定公示年度报告：\n罚款2000元' }));
      expect(resent.data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
      expect([await count(), await eventCount()]).toEqual([records0, events0]);

      const corrected = await submit(penalty(documentNumber, { summary: '未按规定公示年度报告：\n罚款2000元', severity: 'SERIOUS' }));
      expect(corrected.data?.submitCreditRecord?.outcome).toBe('UPDATED');
      const history = corrected.data!.submitCreditRecord!.record.history;
      expect(history.map((e) => e.kind)).toEqual(['CREATED', 'CORRECTED']);
      expect(Object.keys(JSON.parse(history[1].after!))).not.toContain('summary');
      expect((await records.db().getRepository(CreditRecord).findOneByOrFail({ documentNumber })).summary).toBe('未按规定公示年度报告：\r\n罚款2000元');
    });

    it('corrects the record when its content changes, keeping the change in its history', async () => {
      const result = await submit(penalty('北戴河市监罚〔2026〕901号', { summary: '销售超过保质期的食品，罚款18000元', severity: 'SERIOUS' }));
      expect(result.data?.submitCreditRecord?.outcome).toBe('UPDATED');
      const record = result.data!.submitCreditRecord!.record;
      expect(record).toMatchObject({ severity: 'SERIOUS', disclosureEndsAt: addMonths(addDays(today, -20), 36), summary: '销售超过保质期的食品，罚款18000元' });
      expect(record.history.map((e) => e.kind)).toEqual(['CREATED', 'CORRECTED']);
      expect(JSON.parse(record.history[1].before!)).toEqual({ severity: 'GENERAL', disclosureEndsAt: addMonths(addDays(today, -20), 12), summary: '销售超过保质期的食品，罚款15000元' });
      expect(JSON.parse(record.history[1].after!)).toEqual({ severity: 'SERIOUS', disclosureEndsAt: addMonths(addDays(today, -20), 36), summary: '销售超过保质期的食品，罚款18000元' });
    });

    it('answers a record submitted after its period ended as a later read tells it: EXPIRED, its history ending so', async () => {
      const expired = penalty('北戴河市监罚〔2025〕930号', { decisionDate: addMonths(today, -13) });
      const result = await submit(expired);
      expect(result.errors).toBeUndefined();
      const answered = result.data!.submitCreditRecord!.record;
      expect(answered.status).toBe('EXPIRED');
      expect(answered.history.map((e) => [e.kind, e.after])).toEqual([
        ['CREATED', null],
        ['EXPIRED', '{"status":"EXPIRED"}'],
      ]);
      const later = await records.queryAs<{ submittedCreditRecord: Submission['record'] }>(market, `query($n: String!) { submittedCreditRecord(documentNumber: $n) { status history { kind actor organisation before after } } }`, { n: '北戴河市监罚〔2025〕930号' });
      expect(later.data?.submittedCreditRecord).toEqual({ status: answered.status, history: answered.history });
    });

    it('counts an expired record again when a correction dates it anew within its period, and its history says EXPIRED → ACTIVE', async () => {
      const decisionDate = addMonths(today, -13);
      const redated = addMonths(today, -2);
      expect((await submit(penalty('北戴河市监罚〔2025〕931号', { decisionDate }))).data?.submitCreditRecord).toMatchObject({ outcome: 'CREATED', record: { status: 'EXPIRED' } });
      const result = await submit(penalty('北戴河市监罚〔2025〕931号', { decisionDate: redated }));
      expect(result.errors).toBeUndefined();
      expect(result.data?.submitCreditRecord?.outcome).toBe('UPDATED');
      const record = result.data!.submitCreditRecord!.record;
      expect(record).toMatchObject({ status: 'ACTIVE', decisionDate: redated, disclosureEndsAt: addMonths(redated, 12) });
      expect(record.history.map((e) => e.kind)).toEqual(['CREATED', 'EXPIRED', 'CORRECTED']);
      expect(JSON.parse(record.history[2].before!)).toEqual({ decisionDate, disclosureEndsAt: addMonths(decisionDate, 12), status: 'EXPIRED' });
      expect(JSON.parse(record.history[2].after!)).toEqual({ decisionDate: redated, disclosureEndsAt: addMonths(redated, 12), status: 'ACTIVE' });
      // The last status the history tells is the record's, and the record counts again.
      const read = await records.queryAs<{ creditRecord: { status: string; countsInCheck: boolean; history: { after: string | null }[] } }>(market, `query($n: String!) { creditRecord: submittedCreditRecord(documentNumber: $n) { status countsInCheck history { after } } }`, { n: '北戴河市监罚〔2025〕931号' });
      expect(read.errors).toBeUndefined();
      const told = read.data!.creditRecord.history.reduce((status, e) => (e.after ? ((JSON.parse(e.after) as { status?: string }).status ?? status) : status), 'ACTIVE');
      expect([read.data?.creditRecord.status, told, read.data?.creditRecord.countsInCheck]).toEqual(['ACTIVE', 'ACTIVE', true]);
    });

    it("refuses to move a record to another subject by re-sending its document number, and keeps the record as it was", async () => {
      const other = world.subjects.find((s) => s.kind === 'ENTERPRISE' && s.id !== enterprise.id)!;
      expect((await submit(penalty('北戴河市监罚〔2026〕905号'))).data?.submitCreditRecord?.outcome).toBe('CREATED');
      const before = await records.db().getRepository(CreditRecord).findOneByOrFail({ sourceDepartment: 'MARKET_REGULATION', documentNumber: '北戴河市监罚〔2026〕905号' });
      const [records0, events0] = [await count(), await eventCount()];
      const result = await submit(penalty('北戴河市监罚〔2026〕905号', { subjectCode: other.identifier, summary: '销售超过保质期的食品，罚款18000元', severity: 'SERIOUS' }));
      expect(result.data?.submitCreditRecord ?? null).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documentNumber', problems: [{ field: 'documentNumber', reason: result.errors?.[0].message }] });
      expect(result.errors?.[0].message).toContain('is about another subject');
      const after = await records.db().getRepository(CreditRecord).findOneByOrFail({ id: before.id });
      expect(after).toEqual(before);
      expect([await count(), await eventCount()]).toEqual([records0, events0]);
    });

    it('keeps document numbers that differ only in letter case as two records, on either database', async () => {
      const lower = await submit(penalty('BDH-SJ-abc-7'));
      const upper = await submit(penalty('BDH-SJ-ABC-7', { summary: '另一份决定书' }));
      expect([lower.errors, upper.errors]).toEqual([undefined, undefined]);
      expect([lower.data?.submitCreditRecord?.outcome, upper.data?.submitCreditRecord?.outcome]).toEqual(['CREATED', 'CREATED']);
      expect(upper.data?.submitCreditRecord?.record.id).not.toBe(lower.data?.submitCreditRecord?.record.id);
      // Sent again, each is itself.
      expect((await submit(penalty('BDH-SJ-ABC-7', { summary: '另一份决定书' }))).data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
    });

    it('takes a number typed with a combining accent as the same printed number: one decision, one record', async () => {
      const composed = await submit(penalty('BDH-caf\u00e9-8'));
      const decomposed = await submit(penalty('BDH-cafe\u0301-8'));
      expect([composed.errors, decomposed.errors]).toEqual([undefined, undefined]);
      expect([composed.data?.submitCreditRecord?.outcome, decomposed.data?.submitCreditRecord?.outcome]).toEqual(['CREATED', 'UNCHANGED']);
      expect(decomposed.data?.submitCreditRecord?.record).toMatchObject({ id: composed.data?.submitCreditRecord?.record.id, documentNumber: 'BDH-caf\u00e9-8' });
      const readBack = await records.queryAs<{ submittedCreditRecord: { documentNumber: string } | null }>(market, `query($n: String!) { submittedCreditRecord(documentNumber: $n) { documentNumber } }`, { n: 'BDH-cafe\u0301-8' });
      expect(readBack.data?.submittedCreditRecord).toEqual({ documentNumber: 'BDH-caf\u00e9-8' });
    });

    it('takes a number typed in full width as the number itself: one decision, one record, found by either form', async () => {
      const typed = await submit(penalty('北戴河市监罚〔2026〕920号'));
      const recordsBefore = await count();
      const fullWidth = await submit(penalty('\u3000北戴河市监罚〔２０２６〕９２０号'));
      expect(fullWidth.errors).toBeUndefined();
      expect(fullWidth.data?.submitCreditRecord).toMatchObject({ outcome: 'UNCHANGED', record: { id: typed.data?.submitCreditRecord?.record.id, documentNumber: '北戴河市监罚〔2026〕920号' } });
      expect(await count()).toBe(recordsBefore);
      const QUERY = `query($n: String!) { submittedCreditRecord(documentNumber: $n) { id documentNumber } }`;
      for (const n of ['北戴河市监罚〔2026〕920号', '北戴河市监罚〔２０２６〕９２０号']) {
        const found = await records.queryAs<{ submittedCreditRecord: unknown }>(market, QUERY, { n });
        expect({ n, found: found.data?.submittedCreditRecord }).toEqual({ n, found: { id: typed.data?.submitCreditRecord?.record.id, documentNumber: '北戴河市监罚〔2026〕920号' } });
      }
      // Both forms in one batch are one decision sent twice.
      const batch = await submitMany([penalty('北戴河市监罚〔２０２６〕９２１号'), penalty('北戴河市监罚〔2026〕921号')]);
      expect(batch.data?.submitCreditRecords).toMatchObject({ created: 1, rejected: 1, rejections: [{ row: 2, field: 'documentNumber', documentNumber: '北戴河市监罚〔2026〕921号' }] });
    });

    it('keeps round brackets of a number in the full width of official numbering, however typed', async () => {
      const ascii = await submit(penalty('(2026)北戴河市监罚922号'));
      expect(ascii.data?.submitCreditRecord).toMatchObject({ outcome: 'CREATED', record: { documentNumber: '（2026）北戴河市监罚922号' } });
      const official = await submit(penalty('（２０２６）北戴河市监罚９２２号'));
      expect(official.data?.submitCreditRecord).toMatchObject({ outcome: 'UNCHANGED', record: { id: ascii.data?.submitCreditRecord?.record.id } });
    });

    it('takes a number whose year is bracketed otherwise, or which holds a space, as the number itself: one record, shown as first written, found by any form', async () => {
      const first = await submit(penalty('北戴河市监罚〔2026〕925号'));
      expect(first.data?.submitCreditRecord?.outcome).toBe('CREATED');
      const recordsBefore = await count();
      const typings = ['北戴河市监罚[2026]925号', '北戴河市监罚（2026）925号', '北戴河市监罚(2026)925号', '北戴河市监罚【2026】925号', '北戴河市监罚［2026］925号', '北戴河市监罚﹝2026﹞925号', '北戴河市监罚〔2026〕 925号', '北戴河市监罚 [ 2026 ] 925 号'];
      for (const typed of typings) {
        const again = await submit(penalty(typed));
        expect({ typed, errors: again.errors, submission: again.data?.submitCreditRecord }).toMatchObject({
          typed, errors: undefined, submission: { outcome: 'UNCHANGED', record: { id: first.data?.submitCreditRecord?.record.id, documentNumber: '北戴河市监罚〔2026〕925号' } },
        });
        const found = await records.queryAs<{ submittedCreditRecord: { id: string } | null }>(market, `query($n: String!) { submittedCreditRecord(documentNumber: $n) { id } }`, { n: typed });
        expect({ typed, found: found.data?.submittedCreditRecord }).toEqual({ typed, found: { id: first.data?.submitCreditRecord?.record.id } });
      }
      expect(await count()).toBe(recordsBefore);
      // A correction sent under another typing corrects the record, which keeps its number as first written.
      const corrected = await submit(penalty('北戴河市监罚【2026】925号', { severity: 'SERIOUS' }));
      expect(corrected.data?.submitCreditRecord).toMatchObject({ outcome: 'UPDATED', record: { id: first.data?.submitCreditRecord?.record.id, severity: 'SERIOUS', documentNumber: '北戴河市监罚〔2026〕925号' } });
      // Two typings in one batch are one decision sent twice; the rejection names the row's number as it wrote it.
      const batch = await submitMany([penalty('北戴河市监罚〔2026〕926号'), penalty('北戴河市监罚[2026] 926号')]);
      expect(batch.data?.submitCreditRecords).toMatchObject({ created: 1, rejected: 1, rejections: [{ row: 2, field: 'documentNumber', documentNumber: '北戴河市监罚[2026] 926号' }] });
    });

    it('shows a number as its department first wrote it, the court’s round brackets and all, and finds it by the tortoise-shell form too', async () => {
      const court = await submit(penalty('（２０２６）冀0304执927号'));
      expect(court.data?.submitCreditRecord).toMatchObject({ outcome: 'CREATED', record: { documentNumber: '（2026）冀0304执927号' } });
      const found = await records.queryAs<{ submittedCreditRecord: { id: string; documentNumber: string } | null }>(market, `query($n: String!) { submittedCreditRecord(documentNumber: $n) { id documentNumber } }`, { n: '〔2026〕冀0304执927号' });
      expect(found.data?.submittedCreditRecord).toEqual({ id: court.data?.submitCreditRecord?.record.id, documentNumber: '（2026）冀0304执927号' });
      expect((await submit(penalty('〔2026〕冀0304执927号'))).data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
    });

    it('reads a decision date and a term typed in full width as the dates, and stores them as YYYY-MM-DD', async () => {
      // As an input method types digits and hyphens in a Chinese spreadsheet: ２０２６－１１－１５.
      const fullWidth = (date: string) => date.replace(/[0-9-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
      const [decided, until] = [addDays(today, -20), addDays(today, 365)];
      const typed = await submit(penalty('北戴河市监罚〔2026〕923号', { category: 'RED_LIST_HONOUR', severity: null, decisionDate: ` ${fullWidth(decided)}\u3000`, validUntil: fullWidth(until) }));
      expect({ errors: typed.errors, record: typed.data?.submitCreditRecord?.record }).toMatchObject({ errors: undefined, record: { decisionDate: decided, validUntil: until } });
      // One record, however its dates are typed.
      expect((await submit(penalty('北戴河市监罚〔2026〕923号', { category: 'RED_LIST_HONOUR', severity: null, decisionDate: decided, validUntil: until }))).data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
      // Width is folded, not the form: a date with other separators is still refused.
      const slashes = await submit(penalty('北戴河市监罚〔2026〕924号', { decisionDate: decided.replaceAll('-', '/') }));
      expect(slashes.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'decisionDate' } });
    });

    it('names the subject by id as well as by code, and derives polarity from the category or the tax grade', async () => {
      const byId = await submit({ subjectId: person.id, category: 'RED_LIST_HONOUR', documentNumber: '北戴河市监表〔2026〕3号', decisionDate: today, validUntil: addDays(today, 730), summary: '获评诚信经营户' });
      expect(byId.data?.submitCreditRecord?.record).toMatchObject({ subject: { id: person.id }, polarity: 'POSITIVE', validUntil: addDays(today, 730), disclosureEndsAt: null });
      const grade = await submit({ subjectCode: enterprise.identifier, category: 'TAX_CREDIT_GRADE', taxCreditGrade: 'D', documentNumber: '北戴河税信评〔2026〕1号', decisionDate: today, summary: '2025年度纳税信用等级评定为D级' }, officerOf('TAXATION'));
      expect(grade.data?.submitCreditRecord?.record).toMatchObject({ polarity: 'NEGATIVE', sourceDepartment: { code: 'TAXATION' } });
    });

    it('reads the category, polarity, severity and tax grade in any letter case and width, trimmed, as every code typed is, and stores the codes', async () => {
      const typed = await submit(penalty('北戴河市监罚〔2026〕913号', { category: '\u3000Ａｄｍｉｎｉｓｔｒａｔｉｖｅ＿ｐｅｎａｌｔｙ ', polarity: 'ｎｅｇａｔｉｖｅ', severity: ' ｇｅｎｅｒａｌ' }));
      expect({ errors: typed.errors, submission: typed.data?.submitCreditRecord }).toMatchObject({
        errors: undefined,
        submission: { outcome: 'CREATED', record: { category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL' } },
      });
      // One record, however its codes are typed.
      expect((await submit(penalty('北戴河市监罚〔2026〕913号'))).data?.submitCreditRecord?.outcome).toBe('UNCHANGED');
      // A tax grade typed in full width decides the polarity left out, as the grade itself does.
      const grade = await submit({ subjectCode: enterprise.identifier, category: 'ｔａｘ＿ｃｒｅｄｉｔ＿ｇｒａｄｅ', taxCreditGrade: 'Ｃ', documentNumber: '北戴河税信评〔2026〕9号', decisionDate: today, summary: '2025年度纳税信用等级评定为C级' }, officerOf('TAXATION'));
      expect({ errors: grade.errors, submission: grade.data?.submitCreditRecord }).toMatchObject({ errors: undefined, submission: { outcome: 'CREATED', record: { category: 'TAX_CREDIT_GRADE', polarity: 'NEGATIVE' } } });
      const stored = await records.db().getRepository(CreditRecord).findOneByOrFail({ documentNumber: '北戴河税信评〔2026〕9号' });
      expect([stored.category, stored.polarity, stored.taxCreditGrade]).toEqual(['TAX_CREDIT_GRADE', 'NEGATIVE', 'C']);
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['a code with a wrong check character', { subjectCode: `${enterprise.identifier.slice(0, 17)}${enterprise.identifier[17] === '0' ? '1' : '0'}` }, 'INVALID_CREDIT_CODE', 'subjectCode'],
      ['a citizen ID number with a wrong check character', { subjectCode: `${person.identifier.slice(0, 17)}${person.identifier[17] === '0' ? '1' : '0'}` }, 'INVALID_ID_NUMBER', 'subjectCode'],
      // Told as the person's number it is, whose invisible character is named (lib/identifiers), not as a credit code of 19 characters.
      ['a citizen ID number pasted with a word joiner', { subjectCode: `${person.identifier}\u2060` }, 'INVALID_ID_NUMBER', 'subjectCode'],
      ['an unknown subject code', { subjectCode: unknownCode }, 'NOT_FOUND', 'subjectCode'],
      ['an unknown subject id', { subjectCode: null, subjectId: 'no-such-subject' }, 'NOT_FOUND', 'subjectId'],
      ['no subject at all', { subjectCode: null }, 'BAD_USER_INPUT', 'subjectCode'],
      ['both a code and an id', { subjectId: person.id }, 'BAD_USER_INPUT', 'subjectId'],
      ['an unknown category', { category: 'PARKING_TICKET' }, 'BAD_USER_INPUT', 'category'],
      ['a severity missing from a penalty', { severity: null }, 'BAD_USER_INPUT', 'severity'],
      ['a severity on a positive record', { category: 'RED_LIST_HONOUR' }, 'BAD_USER_INPUT', 'severity'],
      ['a court listing from another department', { category: 'DISHONEST_JUDGMENT_DEBTOR', severity: null }, 'BAD_USER_INPUT', 'category'],
      ['a tax grade from another department', { category: 'TAX_CREDIT_GRADE', severity: null, taxCreditGrade: 'A' }, 'BAD_USER_INPUT', 'category'],
      ['a document number of invisible characters only', { documentNumber: '\u200b\u200b' }, 'BAD_USER_INPUT', 'documentNumber'],
      ['a document number holding U+0000', { documentNumber: '北戴河市监罚〔2026〕\u0000950号' }, 'BAD_USER_INPUT', 'documentNumber'],
      ['a summary holding U+0000', { summary: '罚款\u00002000元' }, 'BAD_USER_INPUT', 'summary'],
      ['a summary holding a zero-width space', { summary: '超范围经营，警告\u200b' }, 'BAD_USER_INPUT', 'summary'],
      ['a summary holding a right-to-left override', { summary: '罚款\u202e2000元' }, 'BAD_USER_INPUT', 'summary'],
      ['a decision before 1949-10-01', { decisionDate: '1800-01-01' }, 'BAD_USER_INPUT', 'decisionDate'],
      ['a decision in the future', { decisionDate: addDays(today, 1) }, 'BAD_USER_INPUT', 'decisionDate'],
      ['an impossible date', { decisionDate: '2026-02-30' }, 'BAD_USER_INPUT', 'decisionDate'],
      ['a validity that ends before the decision', { validUntil: addDays(today, -21) }, 'BAD_USER_INPUT', 'validUntil'],
      ['no document number', { documentNumber: '  ' }, 'BAD_USER_INPUT', 'documentNumber'],
      ['no summary', { summary: '' }, 'BAD_USER_INPUT', 'summary'],
      ['a polarity the category does not allow', { polarity: 'POSITIVE' }, 'BAD_USER_INPUT', 'polarity'],
    ])('refuses %s with a typed error and stores nothing', async (_label, change, code, field) => {
      const before = [await count(), await eventCount()];
      const result = await submit(penalty('北戴河市监罚〔2026〕950号', change));
      expect(result.data?.submitCreditRecord).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code, field });
      expect([await count(), await eventCount()]).toEqual(before);
    });

    it('tells a row naming its subject by a code in subjectId that it is a code, and to name it by subjectCode', async () => {
      const result = await submit(penalty('北戴河市监罚〔2026〕952号', { subjectCode: null, subjectId: enterprise.identifier }));
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'subjectId' });
      expect(result.errors?.[0].message).toContain('that is a unified social credit code (统一社会信用代码), not an id: name the subject by subjectCode');
    });

    it('says what is wrong with an invalid subject code, as subjectByCode says it, alone and in a batch', async () => {
      const wrongCheck = `${enterprise.identifier.slice(0, 17)}${enterprise.identifier[17] === '0' ? '1' : '0'}`;
      const alone = await submit(penalty('北戴河市监罚〔2026〕951号', { subjectCode: wrongCheck }));
      expect(alone.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'subjectCode', problem: 'WRONG_CHECK_CHARACTER' });
      const batch = await submitMany([penalty('北戴河市监罚〔2026〕952号', { subjectCode: wrongCheck }), penalty('北戴河市监罚〔2026〕953号', { severity: null })]);
      expect(batch.data?.submitCreditRecords.rejections.map((r) => [r.row, r.field, r.problem])).toEqual([
        [1, 'subjectCode', 'WRONG_CHECK_CHARACTER'],
        [2, 'severity', 'EMPTY'],
      ]);
    });

    it('quotes a long value refused by its first characters and its length, in the message and in every problem', async () => {
      const long = 'A'.repeat(5_000);
      const before = [await count(), await eventCount()];
      const result = await submit(penalty('北戴河市监罚〔2026〕954号', { category: long, severity: long, subjectCode: long }));
      const shown = `"${'A'.repeat(maxQuotedCharacters)}"… (5000 characters in all)`;
      expect(result.errors?.[0]).toMatchObject({
        message: `invalid unified social credit code ${shown}: expected an 18-character unified social credit code, got 5000 characters (and 2 more problems)`,
        extensions: {
          code: 'INVALID_CREDIT_CODE',
          field: 'subjectCode',
          problems: [
            { field: 'subjectCode', reason: `invalid unified social credit code ${shown}: expected an 18-character unified social credit code, got 5000 characters` },
            { field: 'severity', reason: `severity must be MINOR, GENERAL or SERIOUS, got ${shown}` },
            { field: 'category', reason: `category must be a catalogue code such as ADMINISTRATIVE_PENALTY, got ${shown}` },
          ],
        },
      });
      expect([await count(), await eventCount()]).toEqual(before);
    });

    it('refuses callers without the submission group, and a department cannot submit for another', async () => {
      const before = await count();
      const bank = await submit(penalty('X-1'), bankUser);
      expect(bank.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      // sourceDepartment is not an input: the request cannot even name another department.
      const named = await submit({ ...penalty('X-2'), sourceDepartment: 'FINANCE' });
      expect(named.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await count()).toBe(before);
    });

    it('answers SUBGRAPH_UNAVAILABLE and stores nothing when subjects cannot be checked', async () => {
      const before = await count();
      directory.unreachable = true;
      try {
        const result = await submit(penalty('北戴河市监罚〔2026〕960号'));
        expect(result.errors?.[0].extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason: 'UNREACHABLE', retryAfterSeconds: 5, outcome: 'NOT_STORED' });
      } finally {
        directory.unreachable = false;
      }
      expect(await count()).toBe(before);
    });

    it('lets a department read back what it submitted, by document number, and only its own', async () => {
      const QUERY = `query($n: String!) { submittedCreditRecord(documentNumber: $n) { documentNumber sourceDepartment { code } } }`;
      const own = await records.queryAs<{ submittedCreditRecord: unknown }>(market, QUERY, { n: '北戴河市监罚〔2026〕901号' });
      expect(own.data?.submittedCreditRecord).toEqual({ documentNumber: '北戴河市监罚〔2026〕901号', sourceDepartment: { code: 'MARKET_REGULATION' } });
      const other = await records.queryAs<{ submittedCreditRecord: unknown }>(officerOf('FINANCE'), QUERY, { n: '北戴河市监罚〔2026〕901号' });
      expect(other.data?.submittedCreditRecord).toBeNull();
    });
  });

  describe('submitCreditRecords', () => {
    const batch = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        subjectCode: world.subjects[i % world.subjects.length].identifier,
        category: 'CREDIT_COMMITMENT',
        documentNumber: `${prefix}〔2026〕${i + 1}号`,
        decisionDate: addDays(today, -(i % 300)),
        summary: '以告知承诺方式申请行政许可时作出信用承诺',
      }));

    it('stores the valid rows, reports each rejected row with its number, field and reason, and counts add up', async () => {
      const rows: Record<string, unknown>[] = batch(12, '北戴河审批诺A');
      rows[2] = { ...rows[2], subjectCode: unknownCode };
      rows[5] = { ...rows[5], category: 'UNKNOWN' };
      rows[7] = { ...rows[7], documentNumber: rows[1].documentNumber };
      rows[9] = { ...rows[9], decisionDate: '2026/01/01' };
      const result = await records.queryAs<{ submitCreditRecords: BatchResult }>(officerOf('ADMINISTRATIVE_APPROVAL'), SUBMIT_MANY, { rows });
      expect(result.errors).toBeUndefined();
      expect(result.data?.submitCreditRecords).toEqual({
        created: 8,
        updated: 0,
        unchanged: 0,
        rejected: 4,
        rejections: [
          { row: 3, field: 'subjectCode', reason: `no subject with the code ${unknownCode} is registered on the platform`, problem: 'UNKNOWN_SUBJECT', documentNumber: '北戴河审批诺A〔2026〕3号' },
          { row: 6, field: 'category', reason: 'category must be a catalogue code such as ADMINISTRATIVE_PENALTY, got "UNKNOWN"', problem: 'NOT_A_CHOICE', documentNumber: '北戴河审批诺A〔2026〕6号' },
          { row: 8, field: 'documentNumber', reason: 'documentNumber 北戴河审批诺A〔2026〕2号 already appears in row 2 of this batch; a decision is sent once', problem: 'DOCUMENT_NUMBER_IN_USE', documentNumber: '北戴河审批诺A〔2026〕2号' },
          { row: 10, field: 'decisionDate', reason: 'decisionDate must be a calendar date YYYY-MM-DD, got "2026/01/01"', problem: 'NOT_A_DATE', documentNumber: '北戴河审批诺A〔2026〕10号' },
        ],
      });
      const again = await records.queryAs<{ submitCreditRecords: BatchResult }>(officerOf('ADMINISTRATIVE_APPROVAL'), SUBMIT_MANY, { rows });
      expect(again.data?.submitCreditRecords).toMatchObject({ created: 0, updated: 0, unchanged: 8, rejected: 4 });
    });

    it('asks the entities subgraph at most once per chunk of 1,000 rows, and about each subject once', async () => {
      directory.calls = [];
      // Rows 1–1000 name the 40 subjects by code, rows 1001–2500 by id.
      const rows = batch(2500, '北戴河审批诺B').map((row, i) => (i < 1000 ? row : { ...row, subjectCode: null, subjectId: world.subjects[i % world.subjects.length].id }));
      const result = await records.queryAs<{ submitCreditRecords: BatchResult }>(officerOf('ADMINISTRATIVE_APPROVAL'), SUBMIT_MANY, { rows });
      expect(result.data?.submitCreditRecords).toMatchObject({ created: 2500, rejected: 0 });
      expect(directory.calls).toEqual([
        { ids: 0, codes: world.subjects.length },
        { ids: world.subjects.length, codes: 0 },
      ]);
    });

    it('answers a batch of rows refused for one long value with a bounded answer: each reason quotes the value by its first characters and its length', async () => {
      // One variable of 200 KB, used in four fields of each of 60 rows: quoted whole, it made an answer of 36 MB.
      const rows = Array.from({ length: 60 }, (_, i) => `{ subjectCode: "${enterprise.identifier}", category: $value, polarity: $value, severity: $value, taxCreditGrade: $value, documentNumber: "AMP-${i}", decisionDate: "${today}", summary: "x" }`);
      const query = `mutation($value: String!) { submitCreditRecords(rows: [${rows.join(', ')}]) { rejected rejections { row field reason } } }`;
      const long = 'A'.repeat(200_000);
      const result = await records.queryAs<{ submitCreditRecords: { rejected: number; rejections: { row: number; field: string; reason: string }[] } }>(market, query, { value: long });
      const shown = `"${'A'.repeat(maxQuotedCharacters)}"… (200000 characters in all)`;
      expect(result.data?.submitCreditRecords.rejected).toBe(60);
      expect(result.data?.submitCreditRecords.rejections.filter((r) => r.row === 1)).toEqual([
        { row: 1, field: 'polarity', reason: `polarity must be POSITIVE, NEGATIVE or NEUTRAL, got ${shown}` },
        { row: 1, field: 'severity', reason: `severity must be MINOR, GENERAL or SERIOUS, got ${shown}` },
        { row: 1, field: 'category', reason: `category must be a catalogue code such as ADMINISTRATIVE_PENALTY, got ${shown}` },
      ]);
      expect(JSON.stringify(result).length).toBeLessThan(60 * 3 * 300);
    });

    it('names a rejected row by its number only when the number is one intake keeps: a refused number is quoted, bounded, in its reason alone', async () => {
      // A number of 200 KB, with seven other fields wrong: each of the row's rejections carried all of it (1.6 MB for one row).
      const long = '北'.repeat(200_000);
      const query = `mutation($number: String!, $hidden: String!) { submitCreditRecords(rows: [
        { subjectCode: "x", category: "x", severity: "x", documentNumber: $number, decisionDate: "x", summary: "" },
        { subjectCode: "${enterprise.identifier}", category: "ADMINISTRATIVE_PENALTY", severity: "GENERAL", documentNumber: $hidden, decisionDate: "${today}", summary: "x" },
        { subjectCode: "${enterprise.identifier}", category: "ADMINISTRATIVE_PENALTY", severity: "x", documentNumber: "北戴河市监罚〔2026〕957号", decisionDate: "${today}", summary: "x" }
      ]) { rejected rejections { row field documentNumber } } }`;
      const before = await count();
      const result = await records.queryAs<{ submitCreditRecords: { rejected: number; rejections: { row: number; field: string; documentNumber: string | null }[] } }>(market, query, {
        number: long,
        hidden: '北戴河市监罚〔2026〕956\u200b号',
      });
      const rejections = result.data!.submitCreditRecords.rejections;
      expect(rejections.filter((r) => r.row === 1).length).toBeGreaterThan(4);
      expect(new Set(rejections.map((r) => `${r.row}:${r.documentNumber}`))).toEqual(new Set(['1:null', '2:null', '3:北戴河市监罚〔2026〕957号']));
      expect(rejections).toContainEqual({ row: 2, field: 'documentNumber', documentNumber: null });
      expect(JSON.stringify(result).length).toBeLessThan(5_000);
      expect(await count()).toBe(before);
    });

    it(`refuses more than ${maxBatchRows} rows with a typed error, storing nothing`, async () => {
      const before = await count();
      const result = await records.queryAs<{ submitCreditRecords: BatchResult | null }>(officerOf('ADMINISTRATIVE_APPROVAL'), SUBMIT_MANY, { rows: batch(maxBatchRows + 1, '北戴河审批诺C') });
      expect(result.data?.submitCreditRecords).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rows', maximum: maxBatchRows });
      expect(await count()).toBe(before);
    });
  });
});
