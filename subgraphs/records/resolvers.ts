import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { departments, findDepartment, type Department } from '../../lib/catalogue/departments';
import { recordCategories, type RecordCategory } from '../../lib/catalogue/record-categories';
import { pageSize, toConnection } from '../shared/pagination';
import type { RecordsContext } from './context';
import { effectiveStatus, type CreditRecordFilter } from './credit-record.repository';
import type { CreditRecord } from './entities/credit-record.entity';

/** Stored codes were validated against the catalogue on write; a miss here is a bug, not bad input. */
function departmentOf(code: string): Department {
  const department = findDepartment(code);
  if (!department) throw new Error(`department ${code} is not in the catalogue`);
  return department;
}

export const resolvers: GraphQLResolverMap<RecordsContext> = {
  Query: {
    creditRecord: (_: unknown, args: { id: string }, ctx: RecordsContext) => ctx.recordById.load(args.id),
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
      ctx: RecordsContext,
    ) => {
      const query = ctx.repository.subjectRecordsQuery(args.filter, pageSize(args.first), args.after);
      return toConnection(await ctx.pages.load(ctx.repository.records, query, subject.id), 'decisionDate', (r) => r.id);
    },
  },
  CreditRecord: {
    __resolveReference: (ref: { id: string }, ctx: RecordsContext) => ctx.recordById.load(ref.id),
    subject: (record: CreditRecord) => ({ __typename: 'Subject', id: record.subjectId }),
    sourceDepartment: (record: CreditRecord) => departmentOf(record.sourceDepartment),
    status: (record: CreditRecord, _: unknown, ctx: RecordsContext) => effectiveStatus(record, ctx.today),
  },
  CreditRecordCategory: {
    sourceDepartments: (category: RecordCategory) => category.sourceDepartments?.map(departmentOf) ?? null,
  },
  Department: {
    // The catalogue is in memory: there is nothing to batch, so no loader.
    __resolveReference: (ref: { code: string }) => findDepartment(ref.code) ?? null,
  },
};
