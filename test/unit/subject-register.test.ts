import { citizenIdNumber } from '../../lib/identifiers';
import type { InternalClient } from '../../lib/internal-client';
import { isOwnSubject, lookUpSubjects, tokenSubjectNotOwn, type SubjectLookup } from '../../lib/subject-register';
import { demoWorld } from '../../scripts/demo/world';

const [enterprise, other] = demoWorld({ subjects: 40 }).subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
const person = citizenIdNumber({ division: '130304', birthDate: '19900101', sequence: '123' });

/** A client that records each call and answers `answer`. */
function recordingClient(answer: Record<string, unknown>) {
  const calls: { query: string; variables: Record<string, unknown>; grants: string[] }[] = [];
  const client = {
    call: (_url: string, query: string, variables: Record<string, unknown>, grants: string[]) => {
      calls.push({ query, variables, grants });
      return Promise.resolve(answer);
    },
  } as unknown as InternalClient;
  return { client, calls };
}

describe('the subject register, as the gateway and the subgraphs ask it', () => {
  it('asks ids and codes in one call with SUBJECT_BASICS, codes as aliased subjectByCode fields, ids only when there are some', async () => {
    const both = recordingClient({ subjects: [{ id: 's-1', kind: 'ENTERPRISE' }, null], c0: { id: 's-2' }, c1: null });
    const found = await lookUpSubjects(both.client, 'http://entities/graphql', ['s-1', 's-9'], [enterprise.identifier, other.identifier], 'r-1');
    expect(found).toEqual({ ids: new Set(['s-1']), codes: new Map([[enterprise.identifier, 's-2']]), kinds: new Map([['s-1', 'ENTERPRISE']]) });
    expect(both.calls).toHaveLength(1);
    expect(both.calls[0].grants).toEqual(['SUBJECT_BASICS']);
    expect(both.calls[0].query).toContain('c1: subjectByCode(code: $c1) { id }');

    const codesOnly = recordingClient({ c0: { id: 's-2' } });
    await lookUpSubjects(codesOnly.client, 'http://entities/graphql', [], [enterprise.identifier]);
    expect(codesOnly.calls[0].query).not.toContain('_entities');

    const nothing = recordingClient({});
    expect(await lookUpSubjects(nothing.client, 'http://entities/graphql', [], [])).toEqual({ ids: new Set(), codes: new Map() });
    expect(nothing.calls).toEqual([]);
  });

  it("takes a token's subject as its caller's own only when the subject the org names is that subject", async () => {
    const register = (subjectId: string | null) => (codes: readonly string[]): Promise<SubjectLookup> => Promise.resolve({ ids: new Set(), codes: new Map(subjectId ? [[codes[0], subjectId]] : []) });
    expect(await isOwnSubject({ organisation: enterprise.identifier, subjectId: enterprise.id }, register(enterprise.id))).toBe(true);
    expect(await isOwnSubject({ organisation: other.identifier, subjectId: 'a-person' }, register(other.id))).toBe(false);
    expect(await isOwnSubject({ organisation: person, subjectId: 'nobody-registered' }, register(null))).toBe(false);
  });

  it('asks nothing for an org that is no code, shares one ask among callers meanwhile, and asks again after a failure', async () => {
    let asked = 0;
    const counting = (codes: readonly string[]): Promise<SubjectLookup> => {
      asked += 1;
      return Promise.resolve({ ids: new Set(), codes: new Map([[codes[0], 'own-id']]) });
    };
    expect(await isOwnSubject({ organisation: 'BANK_X', subjectId: 'own-id' }, counting)).toBe(false);
    expect(asked).toBe(0);

    const caller = { organisation: other.identifier, subjectId: 'own-id' };
    const failing = () => Promise.reject(new Error('connect ECONNREFUSED'));
    await expect(isOwnSubject(caller, failing)).rejects.toThrow('ECONNREFUSED');
    const answers = await Promise.all([isOwnSubject(caller, counting), isOwnSubject(caller, counting)]);
    expect({ answers, asked }).toEqual({ answers: [true, true], asked: 1 });
  });

  it("refuses a token's subject not its own in one wording, a person's number masked", () => {
    expect(tokenSubjectNotOwn({ organisation: enterprise.identifier, organisationKind: 'ENTERPRISE' })).toEqual({
      problem: 'TOKEN_SUBJECT_NOT_OWN',
      message: `the token's subject_id does not name the subject ${enterprise.identifier} (its org)`,
    });
    const { message } = tokenSubjectNotOwn({ organisation: person, organisationKind: 'INDIVIDUAL' });
    expect(message).not.toContain(person);
  });
});
