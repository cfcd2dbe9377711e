import { auditableSubjectId } from '../lib/access/identity';
import type { InternalClient } from '../lib/internal-client';
import type { Refusal } from './field-guards';

/**
 * A field the gateway cut for want of a grant was never fetched, so when the operation named its
 * subject by code alone, nothing in the answer says who that subject is; yet the refusal belongs
 * in that subject's trail. The entities subgraph is asked, as record intake asks it
 * (subgraphs/shared/subject-directory.ts): `subjectByCode` under the gateway's own identity with
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
    const declarations = codes.map((_, i) => `$c${i}: String!`).join(', ');
    const fields = codes.map((_, i) => `c${i}: subjectByCode(code: $c${i}) { id }`).join(' ');
    const variables = Object.fromEntries(codes.map((code, i) => [`c${i}`, code]));
    let data: Record<string, { id?: unknown } | null>;
    try {
      data = await this.client.call(this.entitiesUrl, `query RefusedSubjectCodes(${declarations}) { ${fields} }`, variables, ['SUBJECT_BASICS'], requestId);
    } catch {
      return;
    }
    const ids = new Map(codes.map((code, i) => [code, auditableSubjectId(data[`c${i}`]?.id)]));
    for (const refusal of unresolved) {
      const subjectId = ids.get(refusal.subjectCode as string);
      if (subjectId) refusal.subjectId = subjectId;
    }
  }
}
