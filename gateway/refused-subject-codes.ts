import { auditableSubjectId } from '../lib/access/identity';
import type { InternalClient } from '../lib/internal-client';
import { lookUpSubjects } from '../lib/subject-register';
import type { Refusal } from './field-guards';

/**
 * A field the gateway cut for want of a grant was never fetched, so when the operation named its
 * subject by code alone, nothing in the answer says who that subject is; yet the refusal belongs
 * in that subject's trail. The subject register is asked, as record intake asks it
 * (lib/subject-register.ts): `subjectByCode` under the platform's own identity with
 * SUBJECT_BASICS, a lookup for the audit entry that discloses nothing to the caller.
 *
 * Only refused requests pay for it, with one call however many codes they named (bounded by
 * `maxCodes`); a lookup that fails or finds nobody leaves the entry about nobody, as before,
 * and never costs the request its answer.
 */
export class RefusedSubjectCodes {
  constructor(
    /** Built with the gateway's subgraph timeout: the answer waits for this call. */
    private readonly client: InternalClient,
    private readonly entitiesUrl: string,
    private readonly maxCodes = 20,
  ) {}

  /**
   * Puts the subject's id on each refusal that named its subject by code only. Asked within the
   * client's own time limit, not what the request has left, as the consent's re-check is
   * (gateway/request-access.ts): the planned fetches may take all but the last moments of that,
   * and the refusal would then be audited about nobody. It is not counted in the request's time
   * (README, REQUEST_TIMEOUT_MS).
   */
  async resolve(refusals: Refusal[], requestId: string): Promise<void> {
    const unresolved = refusals.filter((refusal) => !refusal.subjectId && refusal.subjectCode);
    const codes = [...new Set(unresolved.map((refusal) => refusal.subjectCode as string))].slice(0, this.maxCodes);
    if (!codes.length) return;
    let found: ReadonlyMap<string, string>;
    try {
      found = (await lookUpSubjects(this.client, this.entitiesUrl, [], codes, requestId)).codes;
    } catch {
      return;
    }
    for (const refusal of unresolved) {
      const subjectId = auditableSubjectId(found.get(refusal.subjectCode as string));
      if (subjectId) refusal.subjectId = subjectId;
    }
  }
}
