/**
 * The district this platform serves, as the platform names itself: every place that prints or
 * shows the district's identity reads it from here (the public sources' names, the platform
 * report's header and number, the explorer's title). A district adopting the platform changes
 * these, with the rest of lib/catalogue/ and lib/access/policy.ts (README, "Adopting the platform
 * for another district").
 *
 * Set `platformName` and `reportNumberPrefix` before the first report is issued: a report keeps
 * the name sealed into it, but only a number under the prefix is looked up as the platform's
 * (`inPlatformNumbering`), so the prefix is how one district's reports are told from another's,
 * and a report issued under an earlier prefix is answered NOT_ISSUED_HERE.
 */
export const district = {
  /** The platform's name (公共信用信息共享平台), printed as the issuer of its reports and reserved to it among report issuers. */
  platformName: '北戴河区公共信用信息共享平台',
  /**
   * What else a reader calls the platform, as `alsoKnownAs` (public-sources.ts) reads it: other
   * names, and the places its name may be written after (河北省秦皇岛市北戴河区公共信用信息共享平台).
   */
  platformAlsoKnownAs: { names: ['北戴河公共信用信息共享平台'], before: ['河北省秦皇岛市', '河北省', '秦皇岛市', '秦皇岛'] },
  /** The office printed above the title of every platform report. */
  reportOffice: '秦皇岛市北戴河区社会信用体系建设领导小组办公室',
  /** The title of every platform report. */
  reportTitle: '北戴河区公共信用信息报告',
  /**
   * What every platform report number starts with (BDHXY, 北戴河信用: BDHXY-20261125-7KQ2M9TA):
   * upper-case letters A to Z only, as a reader types them off the paper in any case or width.
   */
  reportNumberPrefix: 'BDHXY',
  /** The explorer's heading (its page title is `Credit API explorer · ` and the platform's name). */
  explorerHeading: 'Beidaihe credit API · explorer',
} as const;
