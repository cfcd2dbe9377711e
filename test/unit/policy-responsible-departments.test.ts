import fs from 'node:fs';
import path from 'node:path';
import { departmentsNaming } from '../../lib/access/matter-access';
import { purposeGrants } from '../../lib/access/policy';
import { creditOffice, departments } from '../../lib/catalogue/departments';
import { matters, RELEVANT_DEPARTMENTS } from '../../lib/catalogue/matters';

/**
 * The catalogue's administrative matters against the policy as written (三(二) 1-11, copied into
 * test/fixtures): which departments each item makes responsible (责任单位), and so which may name
 * the matter. access-catalogue.test.ts compares the API with the catalogue; this compares the
 * catalogue with the policy, so that a department given a matter the policy gives another (the
 * culture and tourism bureau for government procurement, the finance bureau's alone by 三(二)2)
 * fails here rather than passing every test.
 */

const policyText = fs.readFileSync(path.join(__dirname, '../fixtures/policy-zh-3-2.txt'), 'utf8').replace(/^#.*\n/gm, '');

/** The policy's own spellings that are not a department's name: 三(二)10's "区发给局" is a typo of 区发改局 (domain.md spells it so). */
const misprints: Record<string, string> = { 区发给局: '区发改局' };

/** 区有关部门: the platform reads "relevant departments" as every department but the credit office, which supervises their use (五(一)). */
const relevantDepartments = '区有关部门';

interface PolicyItem {
  item: number;
  text: string;
  responsible: string[];
}

const items: PolicyItem[] = [...policyText.matchAll(/^(\d+)\. ([\s\S]*?)[(（]责任单位[:：]\s*([^)）]*)[)）]/gm)].map(([, item, text, responsible]) => ({
  item: Number(item),
  text,
  responsible: responsible.split('、').map((name) => name.trim()),
}));

const byNameZh = new Map(departments.map((d) => [d.nameZh, d.code]));

describe('the administrative matters against the policy, 三(二) 1-11', () => {
  it('reads the eleven items of the fixture, each with its responsible departments', () => {
    expect(items.map((i) => i.item)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(items.every((i) => i.responsible.length > 0)).toBe(true);
  });

  it('has one administrative matter per item, and none the policy does not list', () => {
    const administrative = matters.filter((m) => m.kind === 'ADMINISTRATIVE').map((m) => m.source);
    expect(administrative.sort()).toEqual(items.map((i) => `三(二)${i.item}`).sort());
  });

  describe.each(items)('三(二)$item', ({ item, text, responsible }) => {
    const matter = matters.find((m) => m.source === `三(二)${item}`)!;

    it('makes responsible the departments the item names, and no other', () => {
      if (responsible.includes(relevantDepartments)) {
        expect(responsible).toEqual([relevantDepartments]);
        expect(matter.users.departments).toBe(RELEVANT_DEPARTMENTS);
        expect(departmentsNaming(matter).map((d) => d.code)).toEqual(departments.map((d) => d.code).filter((code) => code !== creditOffice));
        return;
      }
      const named = responsible.map((name) => byNameZh.get(misprints[name] ?? name) ?? `not a catalogue department: ${name}`);
      expect([...(matter.users.departments as readonly string[])].sort()).toEqual([...named].sort());
      // What the policy decides from the list, as the API's `matters { departments }` reports it.
      expect(departmentsNaming(matter).map((d) => d.code).sort()).toEqual([...named].sort());
    });

    it('grants the reports the item uses, and the records where it names them', () => {
      expect(text).toMatch(/信用(信息)?报告/);
      expect(purposeGrants[matter.code]).toContain('REPORTS');
      if (text.includes('信用记录')) expect(purposeGrants[matter.code]).toContain('PUBLIC_RECORDS');
    });
  });
});
