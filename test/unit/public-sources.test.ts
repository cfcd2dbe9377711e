import { publicSourceNamed } from '../../lib/catalogue/public-sources';

/**
 * The names no provider is filed under and no report of another source bears: a reader's
 * reading of Credit China's and the platform's names, not the exact strings. The security probe
 * filed providers as 信用中國網站, Credit China and 秦皇岛市北戴河区公共信用信息共享平台, and
 * registered their reports, accepted, beside the sources' own.
 */
describe('a public source’s name, as a reader reads it', () => {
  it.each([
    ['信用中国网站', 'CREDIT_CHINA'],
    ['信用中國網站', 'CREDIT_CHINA'],
    ['信用中國', 'CREDIT_CHINA'],
    ['信用中囯网站', 'CREDIT_CHINA'],
    ['信⽤中国⽹站', 'CREDIT_CHINA'],
    ['信用中国|网站', 'CREDIT_CHINA'],
    ['信用中国─网站', 'CREDIT_CHINA'],
    ['★信用中国★', 'CREDIT_CHINA'],
    ['信用中国～', 'CREDIT_CHINA'],
    ['信用中国官方网站', 'CREDIT_CHINA'],
    ['信用中国网', 'CREDIT_CHINA'],
    ['Credit China', 'CREDIT_CHINA'],
    ['CREDITCHINA', 'CREDIT_CHINA'],
    ['www.creditchina.gov.cn', 'CREDIT_CHINA'],
    ['北戴河区公共信用信息共享平台', 'DISTRICT_PLATFORM'],
    ['北戴河區公共信用信息共享平臺', 'DISTRICT_PLATFORM'],
    ['秦皇岛市北戴河区公共信用信息共享平台', 'DISTRICT_PLATFORM'],
    ['河北省秦皇島市北戴河区公共信用信息共享平台', 'DISTRICT_PLATFORM'],
    ['北戴河公共信用信息共享平台', 'DISTRICT_PLATFORM'],
  ])('reads %j as %s’s issuer, printed as its own name', (name, source) => {
    expect(publicSourceNamed(name)?.source).toBe(source);
  });

  it.each([
    '信用中国网站（北戴河）数据服务中心',
    '中诚信国际信用评级有限责任公司',
    '秦皇岛市公共信用信息共享平台',
    '北戴河区信用服务中心',
    '中国信用',
  ])('reads %j as no public source’s: a name that holds one, or another place’s, is another', (name) => {
    expect(publicSourceNamed(name)).toBeNull();
  });

  it('gives each source’s name as printed on its reports', () => {
    expect(publicSourceNamed('信用中國')).toEqual({ source: 'CREDIT_CHINA', printedName: '信用中国网站' });
    expect(publicSourceNamed('Credit China')).toEqual({ source: 'CREDIT_CHINA', printedName: '信用中国网站' });
    expect(publicSourceNamed('秦皇岛市北戴河区公共信用信息共享平台')).toEqual({ source: 'DISTRICT_PLATFORM', printedName: '北戴河区公共信用信息共享平台' });
  });
});
