import type { AuditRepository, ChainVerification, RecordedHead } from '../../../subgraphs/audit/audit.repository';

/**
 * The chain verified as the credit office's `verifyAuditChain` verifies it, by the repository's
 * one entry point (`verification`): call after call, each out of time after one batch and resumed
 * where the last stopped, until one completes. A log of one batch or less is one call.
 */
export async function verifiedChain(repository: AuditRepository): Promise<ChainVerification> {
  let resumeFrom: RecordedHead | undefined;
  for (let calls = 1; calls <= 1_000; calls += 1) {
    const verification = await repository.verification(undefined, resumeFrom, () => true);
    if (verification.complete) return verification;
    resumeFrom = verification.resumeFrom ?? undefined;
  }
  throw new Error('the chain was not verified in 1,000 calls');
}

/** Where the chain breaks first, as `verification` names it: the sequence and the id of the entry found there. */
export const firstBreak = ({ firstBrokenSequence, firstBrokenEntry }: ChainVerification) => (firstBrokenSequence === null ? null : { sequence: firstBrokenSequence, id: firstBrokenEntry?.id ?? null });
