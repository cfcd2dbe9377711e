import { foldedDocumentNumber, hasInvisibleCharacters, illegibility, isLegible, nameAsRead, nameKey, quotedVisibly, withoutInvisible, writtenDocumentNumber } from '../../lib/text';

/**
 * What counts as text a reader cannot read back as typed (lib/text.ts): a name, a document or
 * report number that reads exactly as another must be refused, or compare as the other.
 */
describe('text a person reads back as typed', () => {
  const filed = '中诚信北方征信有限公司';

  describe('characters a reader does not see', () => {
    it.each([
      ['the Braille pattern blank U+2800 (a symbol drawn blank)', `\u2800${filed}`],
      ['the musical null notehead U+1D159 (a symbol drawn blank)', `${filed}\u{1D159}`],
      ['a private-use character U+E000', `\ue000${filed}`],
      ['a supplementary private-use character U+F0000', `${filed}\u{F0000}`],
      ['the noncharacter U+FFFF', `${filed}\uffff`],
      ['the noncharacter U+FDD0', `中诚信\ufdd0北方征信有限公司`],
      ['a lone surrogate', `${filed}\ud800`],
      ['a combining acute U+0301 first', `\u0301${filed}`],
      ['a combining acute U+0301 on a Chinese character', `中\u0301诚信北方征信有限公司`],
      ['a combining acute U+0301 after a space', `ABC \u0301Credit`],
      ['a combining acute U+0301 after a full-width bracket', `中诚信（\u0301北方）`],
      ['the kana voicing mark U+3099 on a Chinese character', `中\u3099诚信`],
      ['a combining acute U+0301 after a line break', `a\n\u0301`],
    ])('finds %s and refuses it', (_label, text) => {
      expect(hasInvisibleCharacters(text)).toBe(true);
      expect(illegibility('name', text)).toBeDefined();
      expect(illegibility('reason', text, 'prose')).toBeDefined();
    });

    it.each([
      ['U+2800 first', `\u2800${filed}`],
      ['U+E000 first', `\ue000${filed}`],
      ['U+FFFF last', `${filed}\uffff`],
      ['U+0301 first', `\u0301${filed}`],
      ['U+0301 on its first character', `中\u0301诚信北方征信有限公司`],
      ['U+0301 on its last character', `${filed}\u0301`],
    ])('reads a name with %s as the name without it', (_label, text) => {
      expect(nameAsRead(text)).toBe(nameAsRead(filed));
      expect(nameKey(text)).toBe(nameKey(filed));
      expect(withoutInvisible(text)).toBe(filed);
    });

    it('says what it refused, each hidden character written out, and a stray mark as one', () => {
      expect(illegibility('name', `\u2800${filed}`)).toBe(`name must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…): it holds U+2800, a character drawn as nothing or blank, got "\\u2800${filed}"`);
      // From the analyst's probe: a private-use character was refused as "control or invisible", and its user looked for one.
      expect(illegibility('name', '探针\ue000私用有限公司')).toBe('name must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…): it holds U+E000, a private-use character, which each font draws as it pleases, or as a box, got "探针\\ue000私用有限公司"');
      expect(illegibility('name', 'A\u{10FFFF}')).toContain('it holds U+10FFFF, a noncharacter, which no font draws');
      expect(illegibility('name', 'A\ud800B')).toContain('it holds U+D800, a lone surrogate');
      expect(illegibility('name', 'A\u3164B')).toContain('it holds U+3164, a character drawn as nothing or blank');
      expect(illegibility('name', `中\u0301诚信`)).toBe('name must not hold a combining mark with no letter to sit on (U+0301 first, after a space or on a Chinese character…), got "中\\u0301诚信"');
      expect(quotedVisibly(`\u0301A\u{F0000}`)).toBe('"\\u0301A\\u{f0000}"');
      expect(quotedVisibly('A\nB\u200b')).toBe('"A\\nB\\u200b"');
    });

    it('finds a blank of U+2800 alone illegible', () => {
      expect(isLegible('\u2800\u2800')).toBe(false);
      expect(isLegible('\u0301')).toBe(false);
    });
  });

  describe('legitimate text', () => {
    it.each([
      ['a Chinese name with full-width brackets', '北戴河信用评估（集团）有限公司'],
      ['a name with a middle dot', '阿卜杜·热合曼'],
      ['a name with the katakana middle dot', 'ジョン・スミス'],
      ['a name with a character beyond the BMP', '𠀀信用服务有限公司'],
      ['a name with a character of CJK Extension H', '\u{31350}信用'],
      ['a document number with tortoise-shell brackets', '北戴河市监严失〔2026〕10号'],
      ['an accent typed as a combining mark on its letter', 'Cafe\u0301 Ltd.'],
      ['stacked combining marks on one letter', 'Vie\u0323\u0302t'],
      ['the kana voicing mark on kana', 'か\u3099'],
      ['Devanagari with its vowel signs', 'हिन्दी'],
      ['Thai with its marks', 'ภาษาไทย'],
      ['Arabic with its marks', 'مُحَمَّد'],
      ['a Korean name', '한국신용평가'],
      ['a digit with an enclosing keycap', '1\u20e3'],
    ])('accepts %s', (_label, text) => {
      expect(hasInvisibleCharacters(text)).toBe(false);
      expect(illegibility('name', text)).toBeUndefined();
      expect(withoutInvisible(text)).toBe(text);
    });

    it('reads a composed and a decomposed accent alike, and unlike the letter without it', () => {
      expect(nameAsRead('Cafe\u0301 Ltd.')).toBe(nameAsRead('Café Ltd'));
      expect(nameAsRead('Café')).not.toBe(nameAsRead('Cafe'));
    });

    it('allows line breaks and tabs in prose only', () => {
      expect(illegibility('reason', '材料齐全\n符合\t备案条件', 'prose')).toBeUndefined();
      expect(illegibility('name', '材料齐全\n符合备案条件')).toBeDefined();
    });
  });

  describe('document numbers (文书号)', () => {
    const decision = '北财罚〔2026〕88号';

    it.each([
      ['the tortoise-shell brackets of GB/T 9704', '北财罚〔2026〕88号'],
      ['square brackets', '北财罚[2026]88号'],
      ['full-width square brackets', '北财罚［2026］88号'],
      ['lenticular brackets', '北财罚【2026】88号'],
      ['full-width round brackets', '北财罚（2026）88号'],
      ['ASCII round brackets', '北财罚(2026)88号'],
      ['small tortoise-shell brackets', '北财罚﹝2026﹞88号'],
      ['a space inside', '北财罚〔2026〕 88号'],
      ['ideographic spaces inside', '北财罚\u3000〔2026〕88\u3000号'],
      ['spaces inside the brackets', '北财罚[ 2026 ]88号'],
      ['full-width digits', '北财罚【２０２６】８８号'],
      ['a bracket of one kind opened and another closed', '北财罚[2026〕88号'],
    ])('reads a number typed with %s as the one number', (_label, typed) => {
      expect(foldedDocumentNumber(typed)).toBe(decision);
    });

    it('folds the brackets of a year only: other brackets, letter case and the characters are the number’s own', () => {
      expect(foldedDocumentNumber('（2025）冀0304执118号')).toBe('〔2025〕冀0304执118号');
      expect(foldedDocumentNumber('北戴河市监罚〔基准〕7号')).toBe('北戴河市监罚〔基准〕7号');
      expect(foldedDocumentNumber('京(朝)市监罚[26]12号')).toBe('京（朝）市监罚[26]12号');
      expect(foldedDocumentNumber('BDH-SJ-abc-7')).not.toBe(foldedDocumentNumber('BDH-SJ-ABC-7'));
      expect(foldedDocumentNumber('北财罚〔2026〕88号')).not.toBe(foldedDocumentNumber('北财罚〔2026〕88-1号'));
    });

    it('keeps the number as written, width folded and round brackets full width, apart from the number compared', () => {
      expect(writtenDocumentNumber(' （２０２５）冀0304执118号 ')).toBe('（2025）冀0304执118号');
      expect(writtenDocumentNumber('北财罚[2026] 88号')).toBe('北财罚[2026] 88号');
      expect(foldedDocumentNumber(writtenDocumentNumber('北财罚[2026] 88号'))).toBe(decision);
    });

    it('is idempotent: a folded number folds to itself', () => {
      for (const typed of ['北财罚[2026] 88号', '（2025）冀0304执118号', 'ＭＲ－２０２６－１２']) {
        expect(foldedDocumentNumber(foldedDocumentNumber(typed))).toBe(foldedDocumentNumber(typed));
        expect(writtenDocumentNumber(writtenDocumentNumber(typed))).toBe(writtenDocumentNumber(typed));
      }
    });
  });
});
