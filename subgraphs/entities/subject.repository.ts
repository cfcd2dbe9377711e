import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { badInput, clientError, ErrorCode, InputProblems, quotedInput } from '../../lib/errors';
import { optionalLine, requiredLine } from '../../lib/text-input';
import { todayInDistrict } from '../../lib/calendar';
import { detectIdentifierKind, normaliseIdentifier, validateCitizenIdNumber, validateUnifiedSocialCreditCode } from '../../lib/identifiers';
import type { CursorPosition } from '../shared/cursors';
import { findWhereIn } from '../shared/loaders';
import { loadPages, type Page } from '../shared/pagination';
import { isIsoDate } from '../shared/scalars';
import { assertValidIdentifier } from '../shared/subject-directory';
import { writeTransaction } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import { indexSubjectNames, throughNameIndex } from './subject-names';
import { Subject, subjectNameKeyMaxLength, subjectNameMaxLength, type SubjectKind, type SubjectStatus } from './entities/subject.entity';
import { characterCount, nameAsRead, nameKey, quotedVisibly } from '../../lib/text';

export interface RegisterSubjectInput {
  kind: SubjectKind;
  name: string;
  code: string;
  registeredAddress?: string | null;
  legalRepresentative?: string | null;
  status?: SubjectStatus | null;
  registrationDate?: string | null;
}

/**
 * The queries of market subjects themselves: by code or ID number, by name, registration. The name
 * index's own statements are in subject-names.ts, and consents' in consent.repository.ts.
 */
export class SubjectRepository {
  readonly subjects: Repository<Subject>;

  /** `deadline`: the request's, which its writes keep within (lib/deadline.ts). */
  constructor(
    db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.subjects = db.getRepository(Subject);
  }

  /**
   * Subjects by normalised identifier (`identifierOf`), in the order asked, null where none is
   * registered: one statement however many, so that record intake's lookup of a chunk's codes
   * (aliased `subjectByCode` fields of one request) is one query, not one per code.
   */
  async findByIdentifiers(identifiers: readonly string[]): Promise<(Subject | null)[]> {
    const found = await findWhereIn(this.subjects, 'identifier', identifiers);
    const byIdentifier = new Map(found.map((subject) => [normaliseIdentifier(subject.identifier), subject]));
    return identifiers.map((identifier) => byIdentifier.get(identifier) ?? null);
  }

  /**
   * Subjects whose name contains `name`, both read as a reader reads names (lib/text.ts
   * `nameAsRead`: full-width forms as half-width, letters in either case, spaces, punctuation and
   * invisible characters left out), of the given kinds (all when null), in the order of the names'
   * code points.
   */
  async search(name: string, kinds: readonly SubjectKind[] | null, first: number, after?: CursorPosition | null): Promise<Page<Subject> | undefined> {
    const term = name.trim();
    const typed = characterCount(term);
    if (typed > subjectNameMaxLength) throw badInput('name', `a name is at most ${subjectNameMaxLength} characters, so a search term can be no longer, got ${typed}`);
    const asRead = nameAsRead(term);
    const length = characterCount(asRead);
    if (length < 2) throw badInput('name', `search needs at least 2 characters of a name, spaces, punctuation and invisible characters left out, got ${quotedVisibly(term)}`);
    // Also bounds the bigrams counted for the term (subject-names.ts): one subquery each.
    if (length > subjectNameKeyMaxLength) throw badInput('name', `a name is searched by at most ${subjectNameKeyMaxLength} characters once its compatibility forms are written out (㍿ as 株式会社), so a search term can be no longer, got ${length}`);
    // Reading the term leaves out LIKE's wildcards with all punctuation (％ and ＿ too); escaped
    // all the same, so that no wildcard the reading may keep one day matches more. '!' escapes,
    // not '\\', because MySQL reads a backslash inside a string literal as an escape and SQLite
    // does not.
    const pattern = `%${asRead.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const where = kinds
      ? { sql: `t.name_key LIKE ? ESCAPE '!' AND t.kind IN (${kinds.map(() => '?').join(', ')})`, params: [pattern, ...kinds] }
      : { sql: "t.name_key LIKE ? ESCAPE '!'", params: [pattern] };
    // Only the names holding the term's rarest bigram, of the kinds asked, are tested
    // (subject-names.ts); LIKE and the subject's own kind decide.
    const through = await throughNameIndex(this.subjects.manager.connection, term, kinds);
    const pages = await loadPages(this.subjects, { through, where, orderBy: 'name', direction: 'ASC', first, after });
    return pages.get('');
  }

  async register(input: RegisterSubjectInput): Promise<Subject> {
    const name = input.name.trim();
    const subject = this.subjects.create({
      id: randomUUID(),
      kind: input.kind,
      name,
      nameKey: nameKey(name),
      // Read as subjectByCode and every other input reads a code (full width, letter case, spaces
      // about it): a registrar's lower-case retry is told DUPLICATE_SUBJECT with the subject's id.
      identifier: normaliseIdentifier(input.code),
      identifierKind: input.kind === 'NATURAL_PERSON' ? 'CITIZEN_ID_NUMBER' : 'UNIFIED_SOCIAL_CREDIT_CODE',
      registeredAddress: input.registeredAddress?.trim() || null,
      legalRepresentative: input.legalRepresentative?.trim() || null,
      status: input.status ?? 'ACTIVE',
      registrationDate: input.registrationDate ?? null,
      createdAt: new Date(),
    });
    validateSubject(subject);
    await this.assertUnregistered(subject.identifier);
    try {
      // The subject and its name's index, both or neither.
      await writeTransaction(
        this.subjects.manager.connection,
        async (manager) => {
          await manager.insert(Subject, subject);
          await indexSubjectNames(manager, [subject]);
        },
        undefined,
        this.deadline,
      );
    } catch (error) {
      // Two registrations of one code racing past the check above: the unique index decides.
      await this.assertUnregistered(subject.identifier);
      throw error;
    }
    return subject;
  }

  /**
   * DUPLICATE_SUBJECT when a subject already has this identifier, naming it in `subjectId`: a
   * registrar whose answer was lost (a timeout, a dropped connection) sends the registration
   * again, and learns from the refusal which subject its first one stored, or which one was there
   * before. Registrars are told the code is registered anyway; its subject's id, the registry's
   * handle for it, says nothing more of it (reading any of its fields needs SUBJECT_BASICS).
   */
  private async assertUnregistered(identifier: string): Promise<void> {
    const registered = await this.subjects.findOne({ select: { id: true }, where: { identifier } });
    if (registered) throw duplicate(identifier, registered.id);
  }
}

function duplicate(identifier: string, subjectId: string) {
  return clientError(ErrorCode.DUPLICATE_SUBJECT, `a subject with identifier ${identifier} is already registered, as subject ${subjectId}`, { field: 'code', subjectId });
}

/** The kinds in words, for messages. */
export const subjectKindNames: Record<SubjectKind, string> = {
  ENTERPRISE: 'enterprises',
  OTHER_ORGANISATION: 'other organisations',
  INDIVIDUAL_BUSINESS: 'individual businesses',
  NATURAL_PERSON: 'natural persons',
};

/**
 * The kinds of subject an identifier can name, by its form alone: a citizen ID number a natural
 * person's; a unified social credit code by its first two characters (GB 32100-2015, the
 * registration authority and the organisation type), as far as they settle it. Market regulation
 * (9) registers individual businesses under 92 and no other way, and enterprises; every other
 * authority (1 机构编制, 5 民政, 3 司法行政, …) registers organisations that are not enterprises. A
 * code of market regulation's other types names an enterprise or an other organisation: a
 * partnership or a branch (91, 非法人企业) may be registered as an other organisation (其他组织),
 * and a farmers' cooperative (93) as either. The types are not checked further, as the
 * authorities keep adding them (unified-social-credit-code.ts).
 */
export function kindsOfIdentifier(identifier: string): readonly SubjectKind[] {
  if (readsAsEither(identifier)) return ['NATURAL_PERSON', ...kindsOfCode(identifier)];
  return detectIdentifierKind(identifier) === 'CITIZEN_ID_NUMBER' ? ['NATURAL_PERSON'] : kindsOfCode(identifier);
}

/**
 * Whether an identifier is a valid citizen ID number and a valid unified social credit code at
 * once: a division ending 19 or 20 (Tianjin Jizhou's 120119) before a body that reads as a birth
 * date, both check characters holding. Its form cannot tell a person's from an organisation's.
 */
export function readsAsEither(identifier: string): boolean {
  return validateCitizenIdNumber(identifier).valid && validateUnifiedSocialCreditCode(identifier).valid;
}

/**
 * The kinds of organisation a unified social credit code can name, by its first two characters
 * (`kindsOfIdentifier`). Registration reads a code as the registrar declared it: a few genuine
 * codes (a division ending 19 or 20, such as Tianjin Jizhou's 120119) also pass as citizen ID
 * numbers, and a guess by form would refuse them for every kind of organisation.
 */
function kindsOfCode(code: string): readonly SubjectKind[] {
  if (code.startsWith('92')) return ['INDIVIDUAL_BUSINESS'];
  if (code.startsWith('9')) return ['ENTERPRISE', 'OTHER_ORGANISATION'];
  return ['OTHER_ORGANISATION'];
}

/** Kinds as a message lists them: `individual businesses (INDIVIDUAL_BUSINESS) or …`. */
function kindList(kinds: readonly SubjectKind[]): string {
  return kinds.map((kind) => `${subjectKindNames[kind]} (${kind})`).join(' or ');
}

/**
 * The kinds a code names when it is no identifier of the sort its kind calls for but a valid one
 * of the other sort; undefined otherwise (a valid one of its own sort, or none at all).
 */
function kindsOfOtherIdentifier(subject: Subject): readonly SubjectKind[] | undefined {
  if (subject.identifierKind === 'CITIZEN_ID_NUMBER') {
    return !validateCitizenIdNumber(subject.identifier).valid && validateUnifiedSocialCreditCode(subject.identifier).valid ? kindsOfCode(subject.identifier) : undefined;
  }
  return !validateUnifiedSocialCreditCode(subject.identifier).valid && validateCitizenIdNumber(subject.identifier).valid ? ['NATURAL_PERSON'] : undefined;
}

/**
 * Every problem of the registration at once (README, Errors: `extensions.problems`), each field's
 * first, as a typed error naming the input field: the first problem is the one a registration
 * was refused with before they were all told.
 */
function validateSubject(subject: Subject): void {
  const problems = new InputProblems();
  problems.read(() => {
    // trim() leaves zero-width and other invisible characters: a name of only those would list as
    // blank, one with U+202E would read reversed, one with a tab or U+200B inside would read as
    // another's; the address and the legal representative are read back as typed too.
    requiredLine(subject.name, 'name', subjectNameMaxLength);
  });
  // A valid identifier of the other sort (a person's number as an enterprise's code, a credit
  // code as a person's number) is the kind picked wrong, not the code typed wrong: the form's
  // other fields are then judged by the kind the code is, once the kind is corrected.
  const otherKinds = subject.identifier.length > 0 ? kindsOfOtherIdentifier(subject) : undefined;
  const validCode = problems.read(() => {
    if (otherKinds) return false;
    // A blank code is a required box left empty (README, Errors), not a malformed identifier.
    if (subject.identifier.length === 0) throw badInput('code', `code must not be empty: the ${subject.identifierKind === 'CITIZEN_ID_NUMBER' ? 'citizen ID number' : 'unified social credit code'}`, { problem: 'EMPTY' });
    assertValidIdentifier(subject.identifier, subject.identifierKind);
    return true;
  });
  // The kind decides which purposes read the subject: an individual business registered as an
  // enterprise would be read under drug procurement, which covers enterprises alone. Judged by a
  // valid code only: a mistyped one's first two characters say nothing of its subject.
  problems.read(() => {
    if (otherKinds) {
      const which = subject.identifierKind === 'CITIZEN_ID_NUMBER' ? `a unified social credit code, of ${kindList(otherKinds)}` : `a citizen ID number, of ${kindList(otherKinds)}`;
      // Not repeated: it may be a person's ID number, and the caller has it.
      throw badInput('kind', `the code is ${which}, so kind cannot be ${subject.kind}`, { problem: 'KIND_CONTRADICTS_CODE' });
    }
    const named: readonly SubjectKind[] = subject.identifierKind === 'UNIFIED_SOCIAL_CREDIT_CODE' ? kindsOfCode(subject.identifier) : ['NATURAL_PERSON'];
    if (validCode && !named.includes(subject.kind)) {
      throw badInput('kind', `a unified social credit code beginning ${subject.identifier.slice(0, 2)} is one of ${kindList(named)} (GB 32100-2015, positions 1-2: who registered it and as what), so kind cannot be ${subject.kind}`, { problem: 'KIND_CONTRADICTS_CODE' });
    }
  });
  // The fields that depend on the kind are judged once it is right.
  if (!otherKinds && subject.identifierKind === 'CITIZEN_ID_NUMBER') {
    problems.read(() => {
      if (subject.legalRepresentative) throw badInput('legalRepresentative', 'a natural person has no legal representative');
    });
    problems.read(() => {
      if (subject.registrationDate) throw badInput('registrationDate', 'a natural person has no registration date');
    });
  }
  problems.read(() => {
    if (!otherKinds && subject.identifierKind !== 'CITIZEN_ID_NUMBER' && !subject.registrationDate) throw badInput('registrationDate', `an organisation (${subject.kind}) needs its registration date`);
    if (subject.registrationDate && !isIsoDate(subject.registrationDate)) {
      throw badInput('registrationDate', `registration date must be a calendar date as YYYY-MM-DD, got ${quotedInput(subject.registrationDate)}`);
    }
    // Today is a registration date like any other: a subject registered this morning is registered at the window this afternoon.
    if (subject.registrationDate && subject.registrationDate > todayInDistrict()) {
      throw badInput('registrationDate', `registration date must be today (${todayInDistrict()}) or earlier, got ${subject.registrationDate}`);
    }
  });
  problems.read(() => {
    optionalLine(subject.registeredAddress, 'registeredAddress', 300, 'address');
  });
  problems.read(() => {
    optionalLine(subject.legalRepresentative, 'legalRepresentative', 100, 'legal representative');
  });
  problems.check();
}
