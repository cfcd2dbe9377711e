import type { DataSource } from 'typeorm';
import type { DemoWorld } from '../../scripts/demo/world';
import { insertMissing } from '../shared/seeding';
import { CreditServiceProvider } from './entities/credit-service-provider.entity';

/**
 * The registry as the demo world describes it: mostly FILED providers in classes A–D, one APPLIED
 * (world.providers[9]), one SUSPENDED ([10]) and one REVOKED ([11]); the reports seed issues
 * reports in these providers' names.
 */
export async function seedProviders(db: DataSource, world: DemoWorld): Promise<number> {
  const repository = db.getRepository(CreditServiceProvider);
  const createdAt = new Date('2026-01-01T00:00:00Z');
  return await insertMissing(repository, world.providers.map((p) => repository.create({ ...p, createdAt })));
}
