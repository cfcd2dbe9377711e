import { maskAddress } from '../../lib/masked-address';

/**
 * A person's address shown without PERSONAL_IDENTIFIERS kept the text up to its first 区: a county
 * was lost (河北省秦皇岛市昌黎县… → ****), and an autonomous region cut in two (广西壮族自治区南宁市…
 * → 广西壮族自治区****, the 区 of 自治区). It now keeps the divisions down to the county level.
 */
describe('maskAddress', () => {
  it.each([
    ['河北省秦皇岛市北戴河区海宁路12号', '河北省秦皇岛市北戴河区****'],
    ['河北省秦皇岛市昌黎县城关镇碣阳大街8号', '河北省秦皇岛市昌黎县****'],
    ['广西壮族自治区南宁市青秀区民族大道100号', '广西壮族自治区南宁市青秀区****'],
    ['北京市朝阳区建国路88号', '北京市朝阳区****'],
    ['新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市人民路1号', '新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市****'],
    ['内蒙古自治区呼伦贝尔市鄂温克族自治旗巴彦托海镇', '内蒙古自治区呼伦贝尔市鄂温克族自治旗****'],
    ['西藏自治区阿里地区噶尔县狮泉河镇', '西藏自治区阿里地区噶尔县****'],
    ['云南省临沧市双江拉祜族佤族布朗族傣族自治县勐勐镇', '云南省临沧市双江拉祜族佤族布朗族傣族自治县****'],
    ['秦皇岛市北戴河区东经路5号', '秦皇岛市北戴河区****'],
  ])('keeps the divisions down to the county of %s', (address, masked) => {
    expect(maskAddress(address)).toBe(masked);
  });

  it.each([
    // No division first: nothing kept, as before.
    ['海滨路12号', '****'],
    // A residential 小区 is no district, and a street holding 市 no city: neither is shown.
    ['金山嘴小区3号楼', '****'],
    ['河北省昌黎县农贸市场', '河北省昌黎县****'],
    ['', '****'],
  ])('shows no street, village or estate of %s', (address, masked) => {
    expect(maskAddress(address)).toBe(masked);
  });

  it("shows no more of a Beidaihe address than the text up to its first 区, as it did", () => {
    for (const address of ['河北省秦皇岛市北戴河区海宁路12号', '河北省秦皇岛市北戴河区戴河镇西古城村', '秦皇岛市北戴河区金山嘴小区3号楼']) {
      expect(maskAddress(address)).toBe(`${address.slice(0, address.indexOf('区') + 1)}****`);
    }
  });
});
