import type { RequestIdentity } from '../../../lib/access/identity';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { demoBankOrganisation, demoWorld } from '../../../scripts/demo/world';
import { ConsentRepository } from '../../../subgraphs/entities/consent.repository';
import { Consent, consentStatus } from '../../../subgraphs/entities/entities/consent.entity';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/** validFrom and validUntil are both included: the same day twice is a consent for that one day. */
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id status validFrom validUntil } }`;
const CHECK = /* GraphQL */ `query Check($id: ID!) { consentForAccess(id: $id) { status } }`;

const officer: RequestIdentity = {
  caller: { id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  purpose: null,
  grants: ['CONSENTS', 'CONSENT_REGISTRATION'],
  scope: {},
  requestId: 'window-request',
};
const gateway: RequestIdentity = { caller: null, purpose: null, grants: ['CONSENT_VERIFY'], scope: {}, requestId: 'gateway-check' };

describe('a consent of one day, on the district calendar (UTC+8)', () => {
  const day = '2026-12-04';
  const consent = { validFrom: day, validUntil: day, revokedAt: null };
  const at = (instant: string) => consentStatus(consent, todayInDistrict(new Date(instant)));

  it.each([
    ['the last instant of the day before, district time', '2026-12-03T15:59:59.999Z', 'NOT_YET_VALID'],
    ['its first instant, district time (16:00 UTC the day before)', '2026-12-03T16:00:00.000Z', 'ACTIVE'],
    ['its last instant, district time', '2026-12-04T15:59:59.999Z', 'ACTIVE'],
    ['the first instant of the next district day, still 4 December in UTC', '2026-12-04T16:00:00.000Z', 'EXPIRED'],
  ])('is, at %s, %s', (_label, instant, status) => {
    expect(at(instant)).toBe(status);
  });
});

describe.each(testDatabases)('grantConsent for one day on $label', (database) => {
  const { db, queryAs } = useSubgraph(entitiesSubgraph, database, 'onedayconsent');
  const world = demoWorld({ subjects: 20 });
  const subject = world.subjects[7];
  const today = todayInDistrict();
  const input = (validFrom: string, validUntil: string) => ({ subjectId: subject.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION' as const, purpose: 'FINANCIAL_SERVICES', validFrom, validUntil });

  beforeAll(async () => {
    await seedEntities(db(), world);
  });

  it.each([
    ['today, ACTIVE', 0, 'ACTIVE'],
    ['a later day, NOT_YET_VALID until then', 10, 'NOT_YET_VALID'],
  ])('records validUntil equal to validFrom for %s, as the gateway then finds it', async (_label, offset, status) => {
    const day = addDays(today, offset);
    const granted = await queryAs<{ grantConsent: { id: string; status: string; validFrom: string; validUntil: string } }>(officer, GRANT, { input: input(day, day) });
    expect(granted.errors).toBeUndefined();
    expect(granted.data?.grantConsent).toMatchObject({ status, validFrom: day, validUntil: day });
    expect((await queryAs<{ consentForAccess: { status: string } }>(gateway, CHECK, { id: granted.data!.grantConsent.id })).data?.consentForAccess.status).toBe(status);
  });

  it('has a one-day consent granted yesterday EXPIRED today', async () => {
    const yesterday = addDays(today, -1);
    const granted = await new ConsentRepository(db()).grant(input(yesterday, yesterday), { userId: 'window-sun', organisation: 'CREDIT_OFFICE' }, new Date(startOfDistrictDay(yesterday).getTime() + 9 * 3_600_000));
    expect((await queryAs<{ consentForAccess: { status: string } }>(gateway, CHECK, { id: granted.id })).data?.consentForAccess.status).toBe('EXPIRED');
  });

  it('still refuses validUntil before validFrom, naming validUntil, and stores nothing', async () => {
    const before = await db().getRepository(Consent).count();
    const refused = await queryAs(officer, GRANT, { input: input(addDays(today, 5), addDays(today, 4)) });
    expect(refused.data).toEqual({ grantConsent: null });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    expect(refused.errors?.[0].message).toBe(`validUntil must be validFrom (${addDays(today, 5)}) or a later day, got ${addDays(today, 4)}`);
    expect(await db().getRepository(Consent).count()).toBe(before);
  });
});
