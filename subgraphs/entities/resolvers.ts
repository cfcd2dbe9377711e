import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { pageSize, toConnection } from '../shared/pagination';
import type { EntitiesContext } from './context';
import type { Subject, SubjectKind } from './entities/subject.entity';
import type { RegisterSubjectInput } from './subject.repository';

export const resolvers: GraphQLResolverMap<EntitiesContext> = {
  Query: {
    subject: (_: unknown, args: { id: string }, ctx: EntitiesContext) => ctx.subjectById.load(args.id),
    subjectByCode: (_: unknown, args: { code: string }, ctx: EntitiesContext) => ctx.repository.findByIdentifier(args.code),
    searchSubjects: async (_: unknown, args: { name: string; kind?: SubjectKind; first?: number; after?: string }, ctx: EntitiesContext) =>
      toConnection(await ctx.repository.search(args.name, args.kind, pageSize(args.first), args.after), 'name', (s) => s.id),
  },
  Mutation: {
    registerSubject: (_: unknown, args: { input: RegisterSubjectInput }, ctx: EntitiesContext) => ctx.repository.register(args.input),
  },
  Subject: {
    __resolveReference: (ref: { id: string }, ctx: EntitiesContext) => ctx.subjectById.load(ref.id),
    unifiedSocialCreditCode: (s: Subject) => (s.identifierKind === 'UNIFIED_SOCIAL_CREDIT_CODE' ? s.identifier : null),
    citizenIdNumber: (s: Subject) => (s.identifierKind === 'CITIZEN_ID_NUMBER' ? s.identifier : null),
  },
};
