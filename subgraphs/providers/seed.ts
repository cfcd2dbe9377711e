import type { DataSource } from 'typeorm';
import type { DemoWorld } from '../../scripts/demo/world';
import { insertRows, seedEmptyDatabase, type Seeded } from '../shared/seeding';
import { demoProviderHistory } from './demo-history';
import { nameKey } from '../../lib/text';
import { CreditServiceProvider } from './entities/credit-service-provider.entity';
import { ProviderFilingChange } from './entities/provider-filing-change.entity';
import { ProviderFilingEvent } from './entities/provider-filing-event.entity';
import { ProviderFormerName } from './entities/provider-former-name.entity';
import { ProviderSanction } from './entities/provider-sanction.entity';
import { ProviderViolation } from './entities/provider-violation.entity';
import { SupervisionClassChange } from './entities/supervision-class-change.entity';

/**
 * The registry as the demo world describes it: mostly FILED providers in classes A–D, one APPLIED
 * (world.providers[9]), one SUSPENDED ([10]) and one REVOKED ([11]), each with a filing history,
 * class history, violations and sanctions consistent with its current state (demo-history.ts),
 * world.providers[1] renamed by an approved change (its former name in `nameHistory`), and
 * world.providers[6] with a change of contact awaiting decision; the
 * reports seed issues reports in the names these providers bore. Into a providers database holding
 * no data only (`seedEmptyDatabase`); returns how many rows it wrote.
 */
export async function seedProviders(db: DataSource, world: DemoWorld): Promise<Seeded> {
  const createdAt = new Date('2026-01-01T00:00:00Z');
  const repository = db.getRepository(CreditServiceProvider);
  const history = demoProviderHistory(world);
  return await seedEmptyDatabase(db, async (manager) => {
    // A provider's former names are rows of their own (history.formerNames), not columns of its row.
    let inserted = await insertRows(manager, CreditServiceProvider, world.providers.map(({ formerNames: _rowsOfTheirOwn, ...p }) => repository.create({ ...p, nameKey: nameKey(p.name), createdAt })));
    // The change before the steps naming it, as its application stores them.
    inserted += await insertRows(manager, ProviderFilingChange, history.filingChanges);
    inserted += await insertRows(manager, ProviderFilingEvent, history.events);
    inserted += await insertRows(manager, ProviderFormerName, history.formerNames);
    inserted += await insertRows(manager, SupervisionClassChange, history.classChanges);
    inserted += await insertRows(manager, ProviderViolation, history.violations);
    inserted += await insertRows(manager, ProviderSanction, history.sanctions);
    return inserted;
  });
}
