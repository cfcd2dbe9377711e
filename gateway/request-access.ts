import { inDistrictTime } from '../lib/calendar';
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import { auditedTextLimits, callerInWords, purposeHeaders, signerFor, type Caller, type OrganisationKind, type Purpose, type RequestIdentity } from '../lib/access/identity';
import { GraphQLError } from 'graphql';
import type { FieldGroup } from '../lib/access/field-groups';
import { decideGrants, refusalDetails, type GrantDecision, type PurposeProblem, type PurposeRefusal } from '../lib/access/policy';
import { findMatter, selfInquiry, typedMatter } from '../lib/catalogue/matters';
import { badInput, clientError, ErrorCode, peerOutageCause, serviceUnavailable } from '../lib/errors';
import type { SubgraphName } from '../schema/subgraphs';
import { RequestDeadline } from '../lib/deadline';
import { newRequestId } from '../lib/request-record';
import { isOwnSubject, lookUpSubjects, tokenSubjectNotOwn } from '../lib/subject-register';
import { characterCount, foldedNumber, hasInvisibleCharacters, isLegible } from '../lib/text';
import { typedUuid } from '../lib/identifiers';
import { authenticate, RefusedClaims, type TokenVerifier } from './authentication';
import { clientAddress } from './client-address';
import type { InternalClient } from '../lib/internal-client';
import { withAnswerHeaders, type RateLimits, type RateLimitState } from './rate-limits';


export interface GatewayContext {
  requestId: string;
  caller: Caller | null;
  purpose: Purpose | null;
  decision: GrantDecision;
  identity: RequestIdentity;
  /** subject id → field groups the subgraphs reported disclosing, across the whole query plan. */
  disclosures: Map<string | null, Set<string>>;
  /** The same, disclosed by public lookups (a report's verification): under no purpose. */
  publicDisclosures: Map<string | null, Set<string>>;
  /** consent id → its subject and the field groups disclosed about that consent (a grantee's list of its consents): an entry each, naming the consent. */
  consentDisclosures: Map<string, { subjectId: string; groups: Set<string> }>;
  /**
   * When the gateway stops waiting for the subgraphs (REQUEST_TIMEOUT_MS from when the request's
   * body had arrived, or sooner when it arrived during a stop: gateway.ts deadlineOf): each fetch
   * of the plan takes at most what is left, so a plan of several fetches in sequence answers in
   * the request's time, not in theirs added up. Its `callerGone` is the client's going away: the
   * fetches stop then, and nothing is audited as disclosed.
   */
  deadline: RequestDeadline;
  /**
   * A case number sent without a matter: no purpose, so nothing is read under it, but the attempt's
   * refusals name it, as the credit office finds a department's attempts by their case.
   */
  caseNamedAlone?: string;
  /** Where the request stands against its rate-limit budgets (null when they are off): the RateLimit headers. */
  rateLimit: RateLimitState | null;
  /** The identity as the subgraphs receive it (signed once per identity and half-minute: IdentitySigner). */
  signedIdentity(): Promise<string>;
  /**
   * For a request under a consent: asks the consent register again, before the answer is
   * released, whether the consent still holds, and for a provider's collection the provider
   * registry whether the provider may still collect; null when both do.
   */
  purposeRecheck?: () => Promise<PurposeLapse | null>;
}

/**
 * Why what a request read under its consent is withheld after all: the consent, or the provider's
 * standing, was refused when asked again (`DENIED`: revoked or expired meanwhile, the provider
 * suspended), or a register could not be asked (`FAILED`: the platform's fault, and the client may
 * try again). `error` is told at each field withheld (no path of its own, and no HTTP status: the
 * answer is a 200 with those fields null, as for a purpose refused before execution).
 */
export interface PurposeLapse {
  outcome: 'DENIED' | 'FAILED';
  error: GraphQLError;
  /** What the request may still release: the grants left to a request whose consent is refused (purposeRefused). */
  grants: readonly FieldGroup[];
}

function rawHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function header(req: IncomingMessage, name: string): string | undefined {
  return rawHeader(req, name)?.trim() || undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * RFC 8187's ext-value prefix: the charset, then a language tag between single quotes, empty
 * (`UTF-8''`, as the explorer sends it) or naming the text's language (`UTF-8'zh'`), which says
 * nothing of its bytes and is ignored (RFC 8187, 3.2.1). What follows is percent-encoded UTF-8.
 */
const percentEncodedUtf8 = /^utf-8'([^']*)'/i;

/** A language tag as RFC 5646 writes one (`zh`, `zh-Hans-CN`): letters, digits and hyphens. */
const languageTag = /^[a-z0-9-]*$/i;

/**
 * A purpose header's text. Node hands header values over byte for byte as Latin-1, so a case
 * number such as 北财采〔2026〕17号 sent as UTF-8 (curl, most HTTP clients) arrives as mojibake and is
 * decoded here. A browser cannot send such text in a header at all: it sends
 * `UTF-8''` + encodeURIComponent(text) (RFC 8187), as the explorer does, or with a language tag
 * between the quotes (`UTF-8'zh'…`). Anything else that is not
 * UTF-8 is refused rather than stored garbled in the audit log.
 */
function purposeHeaderText(name: string, raw: string): string {
  const refuse = () =>
    badInput(name, `the ${name} header must be UTF-8 text, or UTF-8'' (or UTF-8'<language>') followed by its percent-encoded UTF-8 (RFC 8187), holding a letter or digit and no control, format or line-separator characters`, {
      http: { status: 400 },
    });
  let text: string;
  try {
    const prefix = percentEncodedUtf8.exec(raw);
    if (prefix) {
      const encoded = raw.slice(prefix[0].length);
      // RFC 8187 allows only ASCII after the prefix: raw bytes there would be stored as mojibake.
      // Nor is a tag that is none (`UTF-8'z h'`) an ext-value: refused, not stored as sent.
      if (!languageTag.test(prefix[1]) || /[^\x21-\x7e]/.test(encoded)) throw refuse();
      text = decodeURIComponent(encoded);
    } else {
      text = /[^\x00-\x7f]/.test(raw) ? utf8.decode(Buffer.from(raw, 'latin1')) : raw;
    }
  } catch {
    throw refuse();
  }
  // What the audit log shows must be what the request named: a line break or NUL (%0A, %00), a
  // zero-width or direction-changing character (U+200B, U+202E), or a line separator would make a
  // case number read as blank, reversed or split; a case of invisible characters names no case.
  // Looked for before trimming, which takes line breaks, tabs and U+2028 off the ends: a case
  // sent as %0Aforged was stored as forged, not refused as the README says.
  if (hasInvisibleCharacters(text)) throw refuse();
  text = text.trim();
  if (text !== '' && !isLegible(text)) throw refuse();
  return text;
}

/** A consent id as the register holds it (`typedUuid`: however cased or wide); any other id folded as a number typed is. */
function typedConsentId(text: string): string {
  return typedUuid(text) ?? foldedNumber(text);
}

/**
 * One purpose header's value; BAD_USER_INPUT (400) naming the header when it is sent twice, is not
 * UTF-8 or is longer than its audit column.
 */
function purposeHeader(req: IncomingMessage, part: keyof typeof purposeHeaders): string | undefined {
  // Node joins a repeated header into one value ("A1, B2"): a read would be audited under a case never named.
  if ((req.headersDistinct?.[purposeHeaders[part]]?.length ?? 0) > 1) throw badInput(purposeHeaders[part], `the ${purposeHeaders[part]} header must be sent once`, { http: { status: 400 } });
  // Trimmed only once decoded: U+00A0, which trim() removes, is here the last byte of many a character (丠 is E4 B8 A0).
  const raw = rawHeader(req, purposeHeaders[part]);
  const text = raw ? purposeHeaderText(purposeHeaders[part], raw) : undefined;
  // A case number typed in full width (ＢＤＨ－ＣＧ－２０２６－０１１７) is the case typed in half
  // width, as everywhere a case number is named (creditChecks, auditEntriesByOrganisation):
  // folded only once decoded from UTF-8, its length counted as the audit log keeps it. A matter
  // is read as typed matters are (typedMatter); one outside the catalogue is what the audit log
  // shows (UNKNOWN_MATTER).
  const asRead = !text ? text : part === 'caseNumber' ? foldedNumber(text) : part === 'matter' ? typedMatter(text) : typedConsentId(text);
  const value = asRead || undefined;
  const max = auditedTextLimits[part];
  if (value && characterCount(value) > max) {
    throw badInput(purposeHeaders[part], `the ${purposeHeaders[part]} header must be at most ${max} characters, got ${characterCount(value)}`, { http: { status: 400 } });
  }
  return value;
}

/**
 * The purpose the headers name; BAD_USER_INPUT (400) naming the header when one is not UTF-8 or is
 * longer than its audit column.
 */
export function purposeFrom(req: IncomingMessage): Purpose | null {
  const matter = purposeHeader(req, 'matter');
  const caseNumber = purposeHeader(req, 'caseNumber');
  const consentId = purposeHeader(req, 'consentId');
  if (!matter) return null;
  return { matter, ...(caseNumber ? { caseNumber } : {}), ...(consentId ? { consentId } : {}) };
}

/**
 * A request its caller's token proved, refused for a malformed purpose header (sent twice, not
 * UTF-8, too long): audited as a denied attempt by that caller (gateway.ts), under what of the
 * purpose could be read, never the malformed text itself; `refusal` is the client's answer.
 */
export class MalformedPurpose extends Error {
  constructor(
    readonly refusal: GraphQLError,
    readonly caller: Caller,
    readonly requestId: string,
    /** The matter and case number as read, each where its own header was well-formed. */
    readonly readable: { matter: string | null; caseNumber: string | null },
  ) {
    super(refusal.message);
  }
}

/**
 * The purpose headers of a request refused for one of them: what each well-formed one names. The
 * consent is left out: never checked, an id in the caller's trail would cite another's consent.
 */
function readablePurpose(req: IncomingMessage): MalformedPurpose['readable'] {
  const readable = (part: 'matter' | 'caseNumber') => {
    try {
      return purposeHeader(req, part) ?? null;
    } catch {
      return null;
    }
  };
  return { matter: readable('matter'), caseNumber: readable('caseNumber') };
}

/**
 * A register the gateway must ask before it can decide the purpose gave no usable answer: an
 * outage, not a refusal (the caller may well have the right to read), so the whole request is
 * answered SUBGRAPH_UNAVAILABLE naming the subgraph, with nothing read, and is to be sent again
 * later. What the register answered is not the caller's to see. 503, as for AUDIT_UNAVAILABLE:
 * the platform failed, not the request, and an answer holding no data is never 200 (GraphQL over
 * HTTP). Nothing was read or refused, so nothing is audited. Asked again once everything is read
 * (a consent, or a provider's standing, re-checked before release), it is told at the fields
 * withheld instead (`wholeAnswer` false). `cause`: how the call failed, kept for the operator (the
 * call itself was counted, and an outage logged once per window, by its InternalClient: gateway.ts).
 */
function registerUnavailable(serviceName: SubgraphName, register: string, unchecked: string, cause: unknown, consequence = 'nothing was read', wholeAnswer = true): GraphQLError {
  return serviceUnavailable(serviceName, `the ${serviceName} subgraph (${register}) gave no usable answer, so ${unchecked} could not be checked and ${consequence}: retry later`, { wholeAnswer, cause });
}

const CONSENT = /* GraphQL */ `
  query ConsentForAccess($id: ID!) {
    consentForAccess(id: $id) { subjectId granteeOrganisation granteeKind purpose status validFrom validUntil revokedAt }
  }
`;

/** The register's ConsentStatus values other than ACTIVE (subgraphs/entities/schema.graphql: keep in sync), each a refusal of its own. */
const refusedConsentStatuses = { REVOKED: 'CONSENT_REVOKED', EXPIRED: 'CONSENT_EXPIRED', NOT_YET_VALID: 'CONSENT_NOT_YET_VALID' } as const satisfies Record<string, PurposeProblem>;

interface ConsentCheck {
  consentForAccess: { subjectId: string; granteeOrganisation: string; granteeKind: OrganisationKind; purpose: string; status: 'ACTIVE' | keyof typeof refusedConsentStatuses; validFrom: string; validUntil: string; revokedAt: string | null } | null;
}

/**
 * The consent as the register has it now: the subject it lets this caller read for this purpose,
 * or why it does not. The reason never names the subject, so a caller learns nothing about a
 * subject it has no consent for. SUBGRAPH_UNAVAILABLE when the register cannot be asked. Within
 * `deadline`, the request's, when given; else within the register client's own time limit.
 */
async function checkConsent(caller: Caller, purpose: Purpose, consents: { client: InternalClient; url: string }, requestId: string, deadline?: RequestDeadline): Promise<{ subjectId: string } | { refused: PurposeRefusal; ownConsent?: string }> {
  const refused = (problem: PurposeProblem, why: string): { refused: PurposeRefusal } => ({ refused: { problem, part: 'consentId', message: `consent ${purpose.consentId} ${why}` } });
  let consent: ConsentCheck['consentForAccess'];
  try {
    consent = (await consents.client.call<ConsentCheck>(consents.url, CONSENT, { id: purpose.consentId }, ['CONSENT_VERIFY'], requestId, deadline)).consentForAccess;
  } catch (error) {
    throw registerUnavailable('entities', 'the consent register', "the request's consent", error);
  }
  // One answer whether the id is unknown or another reader's: a reader learns nothing of a
  // consent not given to it, not even that it exists. The reader is its organisation and its
  // kind: an all-digit credit code can read as a citizen ID number, and the person's consent is
  // not the enterprise's.
  if (!consent || consent.granteeOrganisation !== caller.organisation || consent.granteeKind !== caller.organisationKind) {
    return refused('CONSENT_NOT_GIVEN_TO_CALLER', `is no consent given to ${callerInWords(caller)}`);
  }
  const ownConsent = purpose.consentId;
  if (consent.purpose !== purpose.matter) return { ...refused('CONSENT_NOT_FOR_MATTER', `does not cover ${purpose.matter}`), ownConsent };
  // Its own consent's terms are the grantee's to know (consentsGivenToCaller lists them): the days
  // tell it whether to wait, ask for a new one, or stop.
  const terms = `valid from ${consent.validFrom} through ${consent.validUntil}`;
  const why = {
    REVOKED: `is revoked: revoked at ${consent.revokedAt ? inDistrictTime(new Date(consent.revokedAt)) : 'an unknown time'} (it was ${terms})`,
    EXPIRED: `is expired: it was ${terms}`,
    NOT_YET_VALID: `is not yet valid: it is ${terms}`,
  } as const;
  if (consent.status !== 'ACTIVE') return { ...refused(refusedConsentStatuses[consent.status], why[consent.status]), ownConsent };
  return { subjectId: consent.subjectId };
}

/** What a request whose purpose turned out not to hold may still read: only the public registry. */
function groupsLeftUnderRefusal(decision: GrantDecision): FieldGroup[] {
  return decision.groups.filter((g) => g === 'PROVIDER_REGISTRY');
}

/** A decision whose purpose turned out not to hold: only the public registry is left. */
function purposeRefused(decision: GrantDecision, refusal: PurposeRefusal): GrantDecision {
  return { groups: groupsLeftUnderRefusal(decision), scope: {}, purposeRefused: refusal };
}

/**
 * The consent a refused request cited, for its DENIED entries (`consentRefused`), when it was given
 * to the caller: never one given to another reader, nor an id no consent has. The register down
 * meanwhile leaves the attempt unnamed: the refusal stands without it.
 */
async function ownConsentCited(purpose: Purpose, checked: ReturnType<typeof checkConsent> | null): Promise<{ consentRefused?: string }> {
  const consent = await checked?.catch(() => null);
  const own = !consent ? undefined : 'subjectId' in consent ? purpose.consentId : consent.ownConsent;
  return own ? { consentRefused: own } : {};
}

/** Narrows a consent-based decision to the consented subject, or refuses it. */
function applyConsent(decision: GrantDecision, checked: Awaited<ReturnType<typeof checkConsent>>): GrantDecision {
  if ('refused' in checked) return { ...purposeRefused(decision, checked.refused), ...(checked.ownConsent ? { consentRefused: checked.ownConsent } : {}) };
  return { ...decision, scope: { ...decision.scope, subjectId: checked.subjectId } };
}

/**
 * A subject inquiring about itself is the subject its token's `subject_id` names only by the
 * own-subject rule (lib/subject-register.ts `isOwnSubject`), asked of the subject register.
 */
async function applyOwnSubject(decision: GrantDecision, caller: Caller & { subjectId: string }, entities: { client: InternalClient; url: string }, requestId: string): Promise<GrantDecision> {
  let own: boolean;
  try {
    own = await isOwnSubject(caller, (codes) => lookUpSubjects(entities.client, entities.url, [], codes, requestId));
  } catch (error) {
    throw registerUnavailable('entities', 'the subject register', "the token's subject", error);
  }
  return own ? decision : purposeRefused(decision, tokenSubjectNotOwn(caller));
}

const PROVIDER_STANDING = /* GraphQL */ `
  query ProviderStanding($code: String!) {
    creditServiceProviderByCode(code: $code) { mayCollectPublicCreditData }
  }
`;

/**
 * A credit service provider collects public credit data only while its filing and supervision
 * class allow it (policy 四(二)-(三)): asked of the providers subgraph, which keeps the registry.
 * Why it may not collect now, or null while it may; SUBGRAPH_UNAVAILABLE when the registry cannot be
 * asked. Within `deadline` when given, as checkConsent.
 */
async function providerStanding(caller: Caller, providers: { client: InternalClient; url: string }, requestId: string, deadline?: RequestDeadline): Promise<PurposeRefusal | null> {
  const mayNotCollect = (message: string): PurposeRefusal => ({ problem: 'PROVIDER_MAY_NOT_COLLECT', message });
  let may: boolean | undefined;
  try {
    const data = await providers.client.call<{ creditServiceProviderByCode: { mayCollectPublicCreditData: boolean } | null }>(providers.url, PROVIDER_STANDING, { code: caller.organisation }, ['PROVIDER_REGISTRY'], requestId, deadline);
    may = data.creditServiceProviderByCode?.mayCollectPublicCreditData;
  } catch (error) {
    // A provider's token carries a valid code (authentication.ts), so the registry refuses none of them.
    throw registerUnavailable('providers', 'the provider registry', "the provider's standing", error);
  }
  if (may) return null;
  return mayNotCollect(`${callerInWords(caller)} is not a filed provider allowed to collect public credit data`);
}

export interface AccessDependencies {
  verify: TokenVerifier;
  signingKey: Uint8Array;
  /** The entities subgraph: the consent register and the subjects' own codes. */
  entities: { client: InternalClient; url: string };
  providers: { client: InternalClient; url: string };
  /** Request budgets; none when rate limiting is off. */
  rateLimits?: RateLimits;
  /** Whose X-Forwarded-For names the client counted without a token (client-address.ts). */
  trustedProxies?: BlockList;
}

/** The request's context once who asks, why and what they may read are known. */
function contextOf(requestId: string, deadline: RequestDeadline, caller: Caller | null, purpose: Purpose | null, decision: GrantDecision, rateLimit: RateLimitState | null, signingKey: Uint8Array): GatewayContext {
  // The refusal travels with the purpose: a subgraph must not take a case named under a refused matter for that case.
  const identity: RequestIdentity = { caller, purpose, ...(decision.purposeRefused ? { purposeRefused: decision.purposeRefused } : {}), grants: decision.groups, scope: decision.scope, requestId };
  return {
    requestId,
    deadline,
    caller,
    purpose,
    decision,
    identity,
    disclosures: new Map(),
    publicDisclosures: new Map(),
    consentDisclosures: new Map(),
    rateLimit,
    signedIdentity: () => signerFor(signingKey).sign(identity),
  };
}

/**
 * The context when access control is off (development, a supergraph without grants): nobody is
 * authenticated, nothing is granted or audited, no budget is counted; the subgraphs get an
 * anonymous identity.
 */
export function openGatewayContext(req: IncomingMessage, signingKey: Uint8Array, deadline: RequestDeadline): GatewayContext {
  return contextOf(header(req, 'x-request-id') ?? newRequestId(), deadline, null, null, { groups: [], scope: {} }, null, signingKey);
}

/**
 * Who is asking, why, and what they may read: decided once per request, before planning, within
 * `deadline`, the request's time for its subgraph calls (GatewayContext.deadline: counted from
 * when its body had been read, its arrival bounded apart, lib/http-server.ts, so that a slow upload
 * spends none of it; its `callerGone` aborted when its client goes away before the answer).
 */
export async function createGatewayContext(req: IncomingMessage, deps: AccessDependencies, deadline: RequestDeadline): Promise<GatewayContext> {
  const requestId = header(req, 'x-request-id') ?? newRequestId();
  const address = clientAddress(req, deps.trustedProxies);
  let caller: Caller | null;
  try {
    caller = await authenticate(header(req, 'authorization'), deps.verify);
  } catch (error) {
    // A refused token counts against its address's budget, as a request without one does: a
    // flood of forged tokens is refused with 429 before each one costs an audit entry.
    throw withCountedHeaders(error, deps.rateLimits ? await deps.rateLimits.admit(null, address) : null);
  }
  // Before the consent and provider look-ups: a refused request costs the subgraphs nothing.
  const rateLimit = deps.rateLimits ? await deps.rateLimits.admit(caller, address) : null;
  try {
    return await purposeContext(req, deps, requestId, deadline, caller, rateLimit);
  } catch (error) {
    throw withCountedHeaders(error, rateLimit);
  }
}

/**
 * An error that refuses a request before GraphQL runs, given the headers every answer of a counted
 * request carries (rate-limits.ts, `withAnswerHeaders`): on the error, or on the refusal a
 * MalformedPurpose or RefusedClaims carries for the gateway to audit and answer.
 */
function withCountedHeaders(error: unknown, rateLimit: RateLimitState | null): unknown {
  const answer = error instanceof MalformedPurpose || error instanceof RefusedClaims ? error.refusal : error;
  if (answer instanceof GraphQLError) withAnswerHeaders(answer, rateLimit);
  return error;
}

/** `createGatewayContext` once its caller is known and the request counted: why it asks, and what it may read. */
async function purposeContext(req: IncomingMessage, deps: AccessDependencies, requestId: string, deadline: RequestDeadline, caller: Caller | null, rateLimit: RateLimitState | null): Promise<GatewayContext> {
  let purpose: Purpose | null;
  try {
    purpose = purposeFrom(req);
  } catch (error) {
    // A caller the token names is known: its malformed attempt is audited, as a refused token's is.
    if (caller && error instanceof GraphQLError) throw new MalformedPurpose(error, caller, requestId, readablePurpose(req));
    throw error;
  }
  let decision = decideGrants(caller, purpose);
  const collecting = purpose?.matter === 'PROVIDER_DATA_COLLECTION';
  // Asked beside the provider's standing, not after it: a barred provider's attempt under a
  // consent given to it is the provider's own, and its DENIED entries name that consent, as for a
  // consent revoked (the credit office finds every attempt under a consent by its id). Asked too
  // when the purpose is refused already (a matter the caller may not name): it is no basis then,
  // but an attempt citing the caller's own consent is one made under it, and named so.
  const consentChecked = caller && purpose?.consentId && (decision.purposeRefused || findMatter(purpose.matter)?.consentRequired) ? checkConsent(caller, purpose, deps.entities, requestId, deadline) : null;
  // Settled on every path: a refusal or an outage below may leave it unread.
  consentChecked?.catch(() => undefined);
  if (caller && purpose && !decision.purposeRefused && collecting) {
    const refusal = await providerStanding(caller, deps.providers, requestId, deadline);
    if (refusal) {
      decision = { ...purposeRefused(decision, refusal), ...(await ownConsentCited(purpose, consentChecked)) };
    }
  } else if (purpose && decision.purposeRefused) {
    decision = { ...decision, ...(await ownConsentCited(purpose, consentChecked)) };
  }
  if (caller?.subjectId && purpose && !decision.purposeRefused && purpose.matter === selfInquiry) {
    decision = await applyOwnSubject(decision, { ...caller, subjectId: caller.subjectId }, deps.entities, requestId);
  }
  if (caller && purpose && !decision.purposeRefused && consentChecked) {
    decision = applyConsent(decision, await consentChecked);
    if (!decision.purposeRefused) {
      const lapse = (outcome: PurposeLapse['outcome'], error: GraphQLError): PurposeLapse => ({ outcome, error, grants: groupsLeftUnderRefusal(decision) });
      const refusedAgain = (refusal: PurposeRefusal, withheld: string) => lapse('DENIED', clientError(ErrorCode.FORBIDDEN, `${refusal.message}, so ${withheld} is released`, refusalDetails(refusal)));
      // Everything is read by now, and only a purpose known to hold releases it. When a register
      // cannot be asked, the fields read under it answer null with its error, the rest of the answer
      // stands (HTTP 200), as for any subgraph that gave no usable answer: not the 503 of a request
      // refused whole. Asked within the register client's own time limit, not what the request has
      // left: its planned fetches may take all but the last moments of that, within their own time,
      // and a re-check then refused for want of time would withhold what they read in time as a
      // register's outage, the register never asked. It is not counted in the request's time, as the
      // audit append after it is not (README, REQUEST_TIMEOUT_MS).
      const consentAgain = async (): Promise<PurposeLapse | null> => {
        let checked: Awaited<ReturnType<typeof checkConsent>>;
        try {
          checked = await checkConsent(caller, purpose, deps.entities, requestId);
        } catch (error) {
          // The call's failure, beneath the SUBGRAPH_UNAVAILABLE checkConsent (providerStanding) made of it.
          return lapse('FAILED', registerUnavailable('entities', 'the consent register', `whether consent ${purpose.consentId} still holds`, peerOutageCause(error) ?? error, 'nothing read under it is released', false));
        }
        return 'refused' in checked ? refusedAgain(checked.refused, 'nothing read under it') : null;
      };
      // A provider suspended (or downgraded) while its request was under way collects nothing more.
      const standingAgain = async (): Promise<PurposeLapse | null> => {
        let refusal: PurposeRefusal | null;
        try {
          refusal = await providerStanding(caller, deps.providers, requestId);
        } catch (error) {
          return lapse('FAILED', registerUnavailable('providers', 'the provider registry', `whether ${callerInWords(caller)} may still collect public credit data`, peerOutageCause(error) ?? error, 'nothing it read is released', false));
        }
        return refusal ? refusedAgain(refusal, 'nothing it read') : null;
      };
      // Each register asked once, at once (they are two subgraphs): a refusal by either withholds
      // the answer, and tells the caller why; failing one, a register that could not be asked does.
      const checkedAgain = async (): Promise<PurposeLapse | null> => {
        const lapses = await Promise.all([...(collecting ? [standingAgain()] : []), consentAgain()]);
        return lapses.find((l) => l?.outcome === 'DENIED') ?? lapses.find((l) => l !== null) ?? null;
      };
      return { ...contextOf(requestId, deadline, caller, purpose, decision, rateLimit, deps.signingKey), purposeRecheck: checkedAgain };
    }
  }
  const context = contextOf(requestId, deadline, caller, purpose, decision, rateLimit, deps.signingKey);
  // Read and checked by purposeFrom already: it cannot throw here.
  const caseNamedAlone = purpose ? undefined : purposeHeader(req, 'caseNumber');
  return caseNamedAlone ? { ...context, caseNamedAlone } : context;
}
