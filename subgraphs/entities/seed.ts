import type { DataSource } from 'typeorm';
import type { DemoWorld } from '../../scripts/demo/world';
import { insertMissing } from '../shared/seeding';
import { Subject } from './entities/subject.entity';

export async function seedEntities(db: DataSource, world: DemoWorld): Promise<number> {
  const repository = db.getRepository(Subject);
  const createdAt = new Date('2026-01-01T00:00:00Z');
  return await insertMissing(repository, world.subjects.map((s) => repository.create({ ...s, createdAt })));
}
