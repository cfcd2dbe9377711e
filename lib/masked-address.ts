/**
 * A person's address as a reader without PERSONAL_IDENTIFIERS sees it: its administrative
 * divisions down to the county level kept, everything after them masked: 河北省秦皇岛市北戴河区****,
 * 河北省秦皇岛市昌黎县****, 广西壮族自治区南宁市青秀区****, 北京市朝阳区****.
 *
 * Read from the start, each level optional and at most once, in order:
 * - the province level: a 省, an 自治区, or one of the four 直辖市;
 * - the prefecture level: a 市, 州 (自治州), 盟 or 地区;
 * - the county level: a 区, 县 (自治县), 旗 (自治旗) or 市 (县级市); not a residential 小区, 社区,
 *   园区, 校区 or 景区, which name a place within the county.
 * A division's name holds none of the characters that end a division or name a street, a town or
 * a village (路, 街, 镇, 乡, 村, 号, …): text with no division first keeps nothing (****), and a
 * street part is never taken for a division, so no more is shown than the first 区 showed of a
 * Beidaihe address (河北省秦皇岛市北戴河区), where the first 区 lost the county (昌黎县) or cut
 * 自治区 in two (广西壮族自治区****).
 */
export function maskAddress(address: string): string {
  const kept = divisions.exec(address)?.[0] ?? '';
  return `${kept}****`;
}

/** Characters no division's name holds: the ends of divisions, and the words of what lies within one. */
const notInName = '省市州盟区县旗镇乡街路道号巷村组楼栋室弄';
const name = (most: number) => `[^${notInName}\\s]{1,${most}}?`;
const province = `(?:${name(8)}(?:省|自治区)|(?:北京|天津|上海|重庆)市)`;
const prefecture = `(?:${name(12)}(?:市|州|盟|地区))`;
// The longest county names run to 15 characters (双江拉祜族佤族布朗族傣族自治县).
const county = `(?:${name(15)}(?<!小|社|园|校|景)(?:区|县|旗|市))`;
const divisions = new RegExp(`^${province}?${prefecture}?${county}?`, 'u');
