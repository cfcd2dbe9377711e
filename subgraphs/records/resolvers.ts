import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { departments, findDepartment, type Department } from '../../lib/catalogue/departments';
import { recordCategories, type RecordCategory } from '../../lib/catalogue/record-categories';
import { disclose, forbidden, type SubgraphContext } from '../shared/access';
import { pageSize, toConnection } from '../shared/pagination';
import type { RecordsContext } from './context';
import { effectiveStatus, groupsToSee, type CreditRecordFilter } from './credit-record.repository';
import type { CreditRecord } from './entities/credit-record.entity';

/** Stored codes were validated against the catalogue on write; a miss here is a bug, not bad input. */
function departmentOf(code: string): Department {
  const department = findDepartment(code);
  if (!department) throw new Error(`department ${code} is not in the catalogue`);
  return department;
}

type Context = RecordsContext & SubgraphContext;

/**
 * Records are shown one by one only to a request whose grants cover them (dishonesty lists,
 * records that no longer count); what is shown is reported as disclosed.
 */
function shown(ctx: Context, record: CreditRecord | null): CreditRecord | null {
  if (!record) return null;
  const missing = groupsToSee(record, ctx.today).filter((g) => !ctx.access.identity.grants.includes(g));
  if (missing.length) throw forbidden(`this credit record needs the field group ${missing.join(' and ')}, which this request was not granted`, { group: missing[0] });
  for (const group of groupsToSee(record, ctx.today)) disclose(ctx.access, record.subjectId, group);
  return record;
}

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    creditRecord: async (_: unknown, args: { id: string }, ctx: Context) => shown(ctx, await ctx.recordById.load(args.id)),
    creditRecordCategories: () => recordCategories,
    departments: () => departments,
    department: (_: unknown, args: { code: string }) => findDepartment(args.code) ?? null,
  },
  Subject: {
    // The subject's own fields live in the entities subgraph; here it only anchors creditRecords.
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    creditRecords: async (
      subject: { id: string },
      args: { filter?: CreditRecordFilter | null; first?: number; after?: string | null },
      ctx: Context,
    ) => {
      const query = ctx.repository.subjectRecordsQuery(args.filter, pageSize(args.first), args.after, ctx.access.identity.grants);
      const page = await ctx.pages.load(ctx.repository.records, query, subject.id);
      page?.rows.forEach((record) => shown(ctx, record));
      return toConnection(page, 'decisionDate', (r) => r.id);
    },
  },
  CreditRecord: {
    __resolveReference: async (ref: { id: string }, ctx: Context) => shown(ctx, await ctx.recordById.load(ref.id)),
    subject: (record: CreditRecord) => ({ __typename: 'Subject', id: record.subjectId }),
    sourceDepartment: (record: CreditRecord) => departmentOf(record.sourceDepartment),
    status: (record: CreditRecord, _: unknown, ctx: Context) => effectiveStatus(record, ctx.today),
  },
  CreditRecordCategory: {
    sourceDepartments: (category: RecordCategory) => category.sourceDepartments?.map(departmentOf) ?? null,
  },
  Department: {
    // The catalogue is in memory: there is nothing to batch, so no loader.
    __resolveReference: (ref: { code: string }) => findDepartment(ref.code) ?? null,
  },
};
