import type { DataSource } from 'typeorm';
import { demoConsentRows } from '../../scripts/demo/consents';
import type { DemoWorld } from '../../scripts/demo/world';
import { insertRows, seedEmptyDatabase, type Seeded } from '../shared/seeding';
import { Consent } from './entities/consent.entity';
import { Subject } from './entities/subject.entity';
import { nameKey } from '../../lib/text';
import { indexSubjectNames } from './subject-names';

/** 09:30 in the district (UTC+8) on that day. */
const officeMorning = (day: string) => new Date(`${day}T01:30:00.000Z`);

/** The demo world's subjects, their names' index and the demo consents, into an entities database holding no data (`seedEmptyDatabase`). */
export async function seedEntities(db: DataSource, world: DemoWorld): Promise<Seeded> {
  const subjects = db.getRepository(Subject);
  const createdAt = new Date('2026-01-01T00:00:00Z');
  const consents = db.getRepository(Consent);
  const rows: Consent[] = [];
  for (const c of demoConsentRows(world)) {
    const subject = world.subjects[c.subject];
    // A world too small for a consent's subject or grantee simply has fewer consents.
    if (!subject || !c.grantee) continue;
    // A subject granting for itself acts for the organisation its token names, as grantConsent records it: its code or ID number.
    const grantor = c.recordedBy ?? { userId: `subject-user-${subject.id.slice(0, 8)}`, organisation: subject.identifier };
    rows.push(
      consents.create({
        id: c.id,
        subjectId: subject.id,
        granteeOrganisation: c.grantee,
        granteeKind: c.granteeKind,
        purpose: c.purpose,
        validFrom: c.validFrom,
        validUntil: c.validUntil,
        grantedBy: grantor.userId,
        grantedByOrganisation: grantor.organisation,
        grantedAt: officeMorning(c.grantedOn),
        revokedAt: c.revoked ? officeMorning(c.revoked.on) : null,
        revokedBy: c.revoked ? grantor.userId : null,
        revokedByOrganisation: c.revoked ? grantor.organisation : null,
        revocationReason: c.revoked?.reason ?? null,
      }),
    );
  }
  return await seedEmptyDatabase(db, async (manager) => {
    const inserted = await insertRows(manager, Subject, world.subjects.map((s) => subjects.create({ ...s, nameKey: nameKey(s.name), createdAt })));
    await indexSubjectNames(manager, world.subjects);
    return inserted + (await insertRows(manager, Consent, rows));
  });
}
