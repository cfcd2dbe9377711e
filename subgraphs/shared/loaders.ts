import DataLoader from 'dataloader';
import { In, type ObjectLiteral, type Repository } from 'typeorm';
import { loadPages, type Page, type PageQuery } from './pagination';

/**
 * Entities by id, one `WHERE id IN (...)` per batch; values come back in key order with null
 * for ids that do not exist, as DataLoader requires.
 */
export function loaderById<E extends ObjectLiteral & { id: string }>(repository: Repository<E>): DataLoader<string, E | null> {
  return new DataLoader(async (ids) => {
    const rows = await repository.findBy({ id: In([...ids]) } as never);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Per-request loaders for "one page of X for each parent" fields such as
 * `Subject.creditRecords(filter, first, after)`. Fields resolved with the same arguments share a
 * loader, so 50 subjects asking for their first 10 records cost one SQL statement.
 */
export class PageLoaders {
  private readonly loaders = new Map<string, DataLoader<string, Page<never> | undefined>>();

  load<E extends ObjectLiteral>(
    repository: Repository<E>,
    query: Omit<PageQuery<E>, 'parentIds'>,
    parentId: string,
  ): Promise<Page<E> | undefined> {
    const key = JSON.stringify([repository.metadata.name, query]);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader(async (parentIds) => {
        const pages = await loadPages(repository, { ...query, parentIds });
        return parentIds.map((id) => pages.get(id) as Page<never> | undefined);
      });
      this.loaders.set(key, loader);
    }
    return loader.load(parentId) as Promise<Page<E> | undefined>;
  }
}
