import { district } from '../../lib/catalogue/district';
import { alsoKnownAs, publicSourceIssuers } from '../../lib/catalogue/public-sources';
import { inPlatformNumbering, newReportNumber, platformIssuer, platformReportNumber } from '../../subgraphs/reports/platform-report';

/**
 * The district's identity is one module (lib/catalogue/district.ts) that the catalogue, the
 * platform report and the explorer read: a district adopting the platform changes it there
 * (README, "Adopting the platform for another district").
 */
describe("the district's identity", () => {
  it('is what the public sources, the platform report and its numbering read', () => {
    expect(publicSourceIssuers.DISTRICT_PLATFORM[0]).toBe(district.platformName);
    expect(alsoKnownAs.DISTRICT_PLATFORM).toEqual({ names: district.platformAlsoKnownAs.names, before: district.platformAlsoKnownAs.before, after: [] });
    expect(platformIssuer).toEqual({ name: district.platformName, office: district.reportOffice, title: district.reportTitle });
    const number = newReportNumber('2026-12-08');
    expect(number).toMatch(new RegExp(`^${district.reportNumberPrefix}-20261208-[2-9A-Z]{8}$`));
    expect(inPlatformNumbering(number.toLowerCase())).toBe(true);
    expect(platformReportNumber(number.toLowerCase().replaceAll('-', ' '))).toBe(number);
  });

  it("is Beidaihe's", () => {
    expect(district).toMatchObject({
      platformName: '北戴河区公共信用信息共享平台',
      reportOffice: '秦皇岛市北戴河区社会信用体系建设领导小组办公室',
      reportTitle: '北戴河区公共信用信息报告',
      reportNumberPrefix: 'BDHXY',
      explorerHeading: 'Beidaihe credit API · explorer',
    });
  });

  it('has a report number prefix of upper-case letters, as the numbering reads it typed in any case or width', () => {
    expect(district.reportNumberPrefix).toMatch(/^[A-Z]+$/);
  });
});
