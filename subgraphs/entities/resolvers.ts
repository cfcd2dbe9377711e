import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { todayInDistrict } from '../../lib/calendar';
import { organisationSubjects } from '../../lib/catalogue/matters';
import { badInput, clientError, ErrorCode, InputProblems } from '../../lib/errors';
import { isBlank } from '../../lib/text-input';
import { maskCitizenIdNumber } from '../../lib/identifiers';
import { identifierOf } from '../shared/subject-directory';
import { actingUser, assertInScope, assertKindInScope, disclose, discloseConsent, forbidden, forbiddenAbout, freeText, limitedKinds, personal, personIdentifier, purposeMismatch, underSupervision, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection } from '../shared/pagination';
import { consentTerms, type ConsentActor, type GrantConsentInput } from './consent.repository';
import type { EntitiesContext } from './context';
import { consentStatus, granteeKinds, type Consent, type ConsentStatus, type GranteeKind } from './entities/consent.entity';
import type { Subject, SubjectKind } from './entities/subject.entity';
import { kindsOfIdentifier, subjectKindNames, type RegisterSubjectInput } from './subject.repository';

type Context = EntitiesContext & SubgraphContext;

/** A purpose covers some kinds of subject only (personnel review: natural persons). */
function visible(ctx: Context, subject: Subject | null): Subject | null {
  if (subject) assertKindInScope(ctx.access, subject);
  return subject;
}

/**
 * Why a code whose form can name none of the kinds a purpose covers is refused: registration
 * gives a natural person a citizen ID number and every organisation a unified social credit code
 * whose first two characters settle some kinds (subject.repository.ts, `kindsOfIdentifier`).
 */
function refusedForm(identifier: string, named: readonly SubjectKind[], covered: readonly string[]): string {
  const under = 'the purpose of this request does not cover';
  if (named.includes('NATURAL_PERSON')) return `${under} natural persons, so a citizen ID number cannot be looked up under it`;
  if (!organisationSubjects.some((kind) => covered.includes(kind))) return `${under} organisations, so a unified social credit code cannot be looked up under it`;
  return `${under} ${named.map((kind) => subjectKindNames[kind]).join(' or ')}, so a unified social credit code beginning ${identifier.slice(0, 2)} cannot be looked up under it`;
}

/**
 * The subject a code names (`subjectByCode`, `consentsOfSubject`, `grantConsent`), or null when
 * none has it; a malformed code is a typed error, not null.
 */
async function subjectOfCode(ctx: Context, code: string, field = 'code'): Promise<Subject | null> {
  const covered = ctx.access.identity.scope.subjectKinds;
  // Under a purpose of natural persons alone (personnel review), a mistyped code is told as the citizen ID number it must be.
  const identifier = identifierOf(code, field, covered?.length && covered.every((kind) => kind === 'NATURAL_PERSON') ? 'CITIZEN_ID_NUMBER' : undefined);
  // Refused by the code's form, in either direction: a purpose without natural persons must not
  // learn whether a citizen ID number is registered, nor one of natural persons only (personnel
  // review) whether an organisation's code is, nor one of enterprises only (drug procurement)
  // whether an individual business's code (92…) or a civil-affairs one (5…) is (a FORBIDDEN for
  // a registered one, no subject for another, would tell). The subject is still looked up, for the audit entry alone: the gateway
  // keeps its id from the caller, who gets one answer for both.
  const named = kindsOfIdentifier(identifier);
  const subject = await ctx.subjectByIdentifier.load(identifier);
  if (covered && !named.some((kind) => covered.includes(kind))) throw forbiddenAbout(subject?.id, 'SUBJECT_KIND_NOT_COVERED', refusedForm(identifier, named, covered));
  // A code that reads as a person's number and as an organisation's (readsAsEither), under a
  // purpose covering one of the two: only a subject of a covered kind is answered, and one of the
  // other, or none, gets one answer, so that the lookup tells no more than the form would.
  const uncovered = covered ? named.filter((kind) => !covered.includes(kind)) : [];
  if (covered && named.includes('NATURAL_PERSON') && uncovered.length && !(subject && covered.includes(subject.kind))) {
    throw forbiddenAbout(
      subject?.id,
      'SUBJECT_KIND_NOT_COVERED',
      `the purpose of this request does not cover ${uncovered.map((kind) => subjectKindNames[kind]).join(' or ')}, and this code reads both as a citizen ID number and as a unified social credit code: it is answered only for a subject of a kind the purpose covers registered under it`,
    );
  }
  return visible(ctx, subject);
}

/**
 * The kinds of subject a name search lists (`searchSubjects`), null for every kind: the one asked,
 * or those the purpose covers. Natural persons only in the credit office's supervision: under a
 * case, two characters of a name would list every resident who bears them, with the citizen ID
 * number and address a review unmasks, and a whole name every namesake (policy 五(三), 隐私保护).
 * A department reads the person its case concerns by the citizen ID number that person gives
 * (`subjectByCode`). Organisations' names are their public registration, searched as ever.
 */
function kindsListedByName(ctx: Context, asked: SubjectKind | undefined): readonly SubjectKind[] | null {
  const covered = (ctx.access.identity.scope.subjectKinds ?? null) as SubjectKind[] | null;
  if (asked && covered && !covered.includes(asked)) throw forbidden('SUBJECT_KIND_NOT_COVERED', `the purpose of this request does not cover subjects of kind ${asked}`);
  const kinds = asked ? [asked] : covered;
  if (underSupervision(ctx.access.identity)) return kinds;
  // Left out in the statement itself, so that the page, its cursors and totalCount are the organisations'.
  const listed = kinds ? kinds.filter((kind) => kind !== 'NATURAL_PERSON') : organisationSubjects;
  if (!listed.length) {
    throw purposeMismatch(
      ctx.access.identity,
      "a name search lists natural persons in the credit office's supervision only (x-credit-matter CREDIT_SUPERVISION): look the person up by the citizen ID number they give, with subjectByCode",
    );
  }
  return listed;
}

/** The id of the subject a consent names, by id or by the code on its form (exactly one). */
async function consentingSubject(ctx: Context, input: GrantConsentInput): Promise<string | null | undefined> {
  // A blank one (empty or only spaces) is as if left out (README, Errors).
  const byCode = !isBlank(input.subjectCode);
  const byId = !isBlank(input.subjectId);
  // Every problem of the form at once (README, Errors: `extensions.problems`), the terms among
  // them: a grant that could never be stored is refused before its subject is looked up, so that
  // the window (which reads nothing of subjects) cannot use one to learn whether a code is
  // registered. The code's own form (its length, its check character) tells nothing of that. A
  // subject named by its id alone is held to the request's scope first, and the terms after it
  // (`grant`): a request scoped to one subject is refused another's id whatever else is wrong.
  const problems = new InputProblems();
  problems.read(() => {
    if (byCode !== byId) return;
    // Named as the form names it: the window's form has only subjectCode, so a code left blank
    // there is refused on subjectCode, not on a field that form does not have.
    const onlyCodeSent = !byCode && input.subjectCode != null && input.subjectId == null;
    throw badInput(byCode || onlyCodeSent ? 'subjectCode' : 'subjectId', 'name the subject giving the consent by subjectId or by subjectCode, exactly one of them');
  });
  if (byCode || !byId) problems.read(() => consentTerms(input, todayInDistrict()));
  if (byCode && !byId) problems.read(() => identifierOf(input.subjectCode!, 'subjectCode'));
  problems.check();
  if (!byCode) return input.subjectId;
  const subject = await subjectOfCode(ctx, input.subjectCode!, 'subjectCode');
  // Before NOT_FOUND could tell the two apart: a request scoped to one subject is refused
  // another's code and one nobody has alike, so that it cannot test whether a citizen ID number
  // is registered. Only the window, which records for any subject, learns that none has the code.
  assertInScope(ctx.access, subject ? subject.id : null);
  if (!subject) throw clientError(ErrorCode.NOT_FOUND, 'no market subject has this code', { field: 'subjectCode' });
  return subject.id;
}

/** Keeps the district, hides the street: 河北省秦皇岛市北戴河区**** */
function maskAddress(address: string): string {
  const district = address.indexOf('区');
  return `${district >= 0 ? address.slice(0, district + 1) : ''}****`;
}

/** The user recording a grant or revocation: a subject's own user, or an officer on its behalf. */
function actorOf(ctx: Context): ConsentActor {
  const { caller } = ctx.access.identity;
  if (!caller) throw forbidden('AUTHENTICATION_REQUIRED', 'granting or revoking a consent needs an authenticated caller');
  return { userId: caller.id, organisation: caller.organisation };
}

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    subject: async (_: unknown, args: { id: string }, ctx: Context) => visible(ctx, await ctx.subjectById.load(args.id)),
    subjectByCode: (_: unknown, args: { code: string }, ctx: Context) => subjectOfCode(ctx, args.code),
    searchSubjects: async (_: unknown, args: { name: string; kind?: SubjectKind; first?: number; after?: string }, ctx: Context, info: GraphQLResolveInfo) => {
      if (ctx.access.identity.scope.subjectId) throw forbidden('OUTSIDE_SUBJECT_SCOPE', 'a request scoped to one subject cannot search');
      const kinds = kindsListedByName(ctx, args.kind);
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.repository.search(args.name, kinds, request.first, request.after);
      // A page listed says of each subject on it that its name matches, and its cursors carry the
      // name: disclosed, and audited, even when no field of the subject itself is asked. Its count
      // alone names none (`readAbout`).
      for (const subject of page?.rows ?? []) disclose(ctx.access, request.readAbout(subject.id), 'SUBJECT_BASICS');
      return toConnection(page, request, 'name', (s) => s.id);
    },
    // The gateway's own lookup before it lets a consent-based request through: the gateway, not
    // this resolver, compares grantee, purpose and status with the request.
    consentForAccess: async (_: unknown, args: { id: string }, ctx: Context) => {
      const consent = await ctx.consentById.load(args.id);
      if (!consent) return null;
      const { id: consentId, subjectId, granteeOrganisation, granteeKind, purpose, validFrom, validUntil, revokedAt } = consent;
      return { consentId, subjectId, granteeOrganisation, granteeKind, purpose, status: consentStatus(consent, todayInDistrict()), validFrom, validUntil, revokedAt };
    },
    // The window's own read of a subject's consents, by the code the subject presents: it holds
    // CONSENTS and nothing else of the subject, so no Subject field is on the way to them. (The
    // supervision, which reads the subject too, may use it as well.)
    consentsOfSubject: async (_: unknown, args: { subjectCode: string }, ctx: Context) => {
      const subject = await subjectOfCode(ctx, args.subjectCode, 'subjectCode');
      // A subject reading its own is refused another's code, and one nobody has, alike.
      assertInScope(ctx.access, subject ? subject.id : null);
      // A code nobody has answers as one whose subject gave no consent: nothing about whether
      // it is registered, which is SUBJECT_BASICS, reaches a caller holding CONSENTS alone.
      if (!subject) return [];
      // The kernel sees a list, not a consent, so it cannot tell whose consents these are.
      disclose(ctx.access, subject.id, 'CONSENTS');
      return await ctx.consentsBySubject.load(subject.id);
    },
    // A grantee's own list: by the organisation and kind its token carries, so that it names no
    // other reader's consents. Each consent on the page discloses its subject (its name and code,
    // that it consented), whatever the client selects, as a search page discloses its subjects:
    // audited in the subject's trail naming the consent, the basis the grantee read it by, which a
    // subject that revoked it finds there.
    consentsGivenToCaller: async (_: unknown, args: { statuses?: ConsentStatus[] | null; first?: number; after?: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const { caller, scope } = ctx.access.identity;
      // The list concerns every subject that consented to the caller: a request scoped to one
      // subject (read under a consent, or a subject's own inquiry) may touch that one only.
      if (scope.subjectId) throw forbidden('OUTSIDE_SUBJECT_SCOPE', 'a request scoped to one subject (under a consent, or a subject\'s own inquiry) cannot list the consents given to its caller, which concern other subjects: send it without x-credit-matter');
      const kind = caller?.organisationKind as GranteeKind | undefined;
      if (!caller || !kind || !granteeKinds.includes(kind)) throw forbidden('NOT_ENTITLED', 'only a bank, a credit service provider, an enterprise or a person is given consents');
      const grantee = { organisation: caller.organisation, kind };
      // The cursors are the grantee's: one issued to another reader opens nothing here.
      const request = pageRequest(ctx, info, `${kind} ${caller.organisation}`, args);
      const page = await ctx.consents.givenTo(grantee, args.statuses, request, todayInDistrict());
      for (const consent of page.rows) {
        // A page read for its count alone names no subject, nor any consent.
        const subjectId = request.readAbout(consent.subjectId);
        if (subjectId) discloseConsent(ctx.access, { id: consent.id, subjectId }, 'CONSENTS_RECEIVED');
        else disclose(ctx.access, null, 'CONSENTS_RECEIVED');
      }
      return toConnection(page, request, 'grantedAt', (c) => c.id);
    },
    // A consent by the id an audit entry cites: the supervision checks a read's lawful basis with
    // it. An unknown id is null, as for subject(id); the kernel refuses a request scoped to one
    // subject (its own inquiry) an unknown id as it refuses another subject's consent, and
    // reports the consent's subject as disclosed under CONSENTS. Reading only: writing is
    // CONSENT_REGISTRATION, a group of its own, so that no reader of consents can grant or revoke.
    consent: async (_: unknown, args: { id: string }, ctx: Context) => {
      const consent = await ctx.consentById.load(args.id);
      // A purpose covering some kinds of subject only reads no consent of a subject of another kind.
      if (consent && limitedKinds(ctx.access)) assertKindInScope(ctx.access, (await ctx.subjectById.load(consent.subjectId)) ?? { id: consent.subjectId });
      return consent;
    },
  },
  Mutation: {
    registerSubject: async (_: unknown, args: { input: RegisterSubjectInput }, ctx: Context) => {
      try {
        return await ctx.repository.register(args.input);
      } catch (error) {
        // The refusal names the subject registered under the code (`subjectId`), as the answer
        // would have: audited in its trail as the registration's answer is.
        const subjectId = error instanceof GraphQLError && error.extensions.code === ErrorCode.DUPLICATE_SUBJECT ? error.extensions.subjectId : undefined;
        if (typeof subjectId === 'string') disclose(ctx.access, subjectId, 'SUBJECT_REGISTRATION');
        throw error;
      }
    },
    grantConsent: async (_: unknown, args: { input: GrantConsentInput }, ctx: Context) => {
      const subjectId = await consentingSubject(ctx, args.input);
      // Checked before anything is stored (the kernel checks the result only after the write).
      assertInScope(ctx.access, subjectId);
      return ctx.consents.grant({ ...args.input, subjectId }, actorOf(ctx));
    },
    revokeConsent: async (_: unknown, args: { id: string; reason: string }, ctx: Context) => {
      const consent = await ctx.consentById.load(args.id);
      // A scoped caller is refused an unknown id as it is another subject's: it cannot probe ids.
      assertInScope(ctx.access, consent ? consent.subjectId : null);
      return await ctx.consents.revoke(args.id, args.reason, actorOf(ctx));
    },
  },
  Subject: {
    __resolveReference: async (ref: { id: string }, ctx: Context) => visible(ctx, await ctx.subjectById.load(ref.id)),
    unifiedSocialCreditCode: (s: Subject) => (s.identifierKind === 'UNIFIED_SOCIAL_CREDIT_CODE' ? s.identifier : null),
    citizenIdNumber: (s: Subject, _: unknown, ctx: Context) => (s.identifierKind === 'CITIZEN_ID_NUMBER' ? personal(ctx.access, s.id, s.identifier, maskCitizenIdNumber) : null),
    registeredAddress: (s: Subject, _: unknown, ctx: Context) => (s.kind === 'NATURAL_PERSON' ? personal(ctx.access, s.id, s.registeredAddress, maskAddress) : s.registeredAddress),
    consents: (s: Subject, _: unknown, ctx: Context) => ctx.consentsBySubject.load(s.id),
  },
  Consent: {
    subject: async (c: Consent, _: unknown, ctx: Context) => visible(ctx, await ctx.subjectById.load(c.subjectId)),
    // A person grantee is named by its citizen ID number, which is the grantee's, not the
    // consenting subject's: the subject's own inquiry (PERSONAL_IDENTIFIERS) does not cover it,
    // and no reader of consents is that person, so it is always masked, as the subject's audit
    // trail masks that reader.
    granteeOrganisation: (c: Consent) => (c.granteeKind === 'INDIVIDUAL' ? maskCitizenIdNumber(c.granteeOrganisation) : c.granteeOrganisation),
    // A person granting for itself is named by its own number: masked as a subject's is, for
    // readers without PERSONAL_IDENTIFIERS (the credit office's window).
    grantedByOrganisation: (c: Consent, _: unknown, ctx: Context) => personIdentifier(ctx.access, c.subjectId, c.grantedByOrganisation),
    revokedByOrganisation: (c: Consent, _: unknown, ctx: Context) => c.revokedByOrganisation && personIdentifier(ctx.access, c.subjectId, c.revokedByOrganisation),
    revocationReason: (c: Consent, _: unknown, ctx: Context) => freeText(ctx.access, c.subjectId, c.revocationReason, c.revokedByOrganisation),
    // Who recorded or revoked it: whole to the administration (the window, the credit office's
    // supervision); to the subject its own user, never the window's officer.
    grantedBy: (c: Consent, _: unknown, ctx: Context) => actingUser(ctx.access, c.grantedBy, c.grantedByOrganisation),
    revokedBy: (c: Consent, _: unknown, ctx: Context) => actingUser(ctx.access, c.revokedBy, c.revokedByOrganisation),
    status: (c: Consent) => consentStatus(c, todayInDistrict()),
  },
  // What the grantee reads of a consent given to it: enough to tell its consents apart and name
  // one (the subject's name and code, as on the form the subject signed for it), never who
  // recorded or revoked it, nor why, which are the subject's dealings with the platform.
  ConsentGivenToCaller: {
    subject: async (c: Consent, _: unknown, ctx: Context) => visible(ctx, await ctx.subjectById.load(c.subjectId)),
    subjectName: async (c: Consent, _: unknown, ctx: Context) => (await consentingSubjectOf(ctx, c)).name,
    // No consent's purpose grants PERSONAL_IDENTIFIERS: a person's number masked, as reading under it shows it.
    subjectCode: async (c: Consent, _: unknown, ctx: Context) => {
      const subject = await consentingSubjectOf(ctx, c);
      return subject.identifierKind === 'CITIZEN_ID_NUMBER' ? maskCitizenIdNumber(subject.identifier) : subject.identifier;
    },
    status: (c: Consent) => consentStatus(c, todayInDistrict()),
  },
};

/** The subject that gave a consent: subjects are never deleted, and a consent is stored only for one that exists. */
async function consentingSubjectOf(ctx: Context, consent: Consent): Promise<Subject> {
  const subject = await ctx.subjectById.load(consent.subjectId);
  if (!subject) throw new Error(`consent ${consent.id} names subject ${consent.subjectId}, which is not in the register`);
  return subject;
}
