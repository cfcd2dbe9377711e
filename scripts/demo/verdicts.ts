/**
 * Where a newcomer sees every verdict of a credit check in the demo world: the subject (by its
 * index in the world), the matter, and the verdict it lands in. The README cites this table and
 * test/supergraph/demo-world.test.ts runs each check, so the two cannot drift.
 */
export interface DemoVerdict {
  subjectIndex: number;
  matter: string;
  /** A department responsible for the matter, of a demo caller's, so that a newcomer can run the check with a printed token. */
  department: string;
  verdict: 'ELIGIBLE' | 'ELIGIBLE_WITH_INCENTIVES' | 'NEEDS_STRICT_REVIEW' | 'EXCLUDED' | 'CANNOT_DECIDE_REPORT_MISSING';
  why: string;
}

export const demoVerdicts: readonly DemoVerdict[] = [
  { subjectIndex: 0, matter: 'GOVERNMENT_PROCUREMENT', department: 'FINANCE', verdict: 'ELIGIBLE_WITH_INCENTIVES', why: 'red-list honour, tax grade A and an AAA report' },
  { subjectIndex: 5, matter: 'GOVERNMENT_PROCUREMENT', department: 'FINANCE', verdict: 'ELIGIBLE', why: 'its only negative record was restored' },
  { subjectIndex: 2, matter: 'GOVERNMENT_PROCUREMENT', department: 'FINANCE', verdict: 'NEEDS_STRICT_REVIEW', why: 'a serious administrative penalty' },
  { subjectIndex: 3, matter: 'GOVERNMENT_PROCUREMENT', department: 'FINANCE', verdict: 'EXCLUDED', why: 'on the serious-dishonesty list' },
  { subjectIndex: 4, matter: 'FISCAL_SUPPORT', department: 'FINANCE', verdict: 'EXCLUDED', why: 'a dishonest judgment debtor' },
  { subjectIndex: 7, matter: 'CONSTRUCTION_BIDDING', department: 'ADMINISTRATIVE_APPROVAL', verdict: 'CANNOT_DECIDE_REPORT_MISSING', why: 'bidding requires a valid report; its only one expired' },
  { subjectIndex: 1, matter: 'STATE_ASSET_TRANSFER', department: 'FINANCE', verdict: 'ELIGIBLE', why: 'a natural person with a general penalty: noted as a reference' },
];
