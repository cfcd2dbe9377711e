import { fieldGroups } from '../access/field-groups';
import { purposeGrants, standingGrants } from '../access/policy';
import { canonicalJson, sha256Hex } from '../canonical-json';
import { departments } from './departments';
import { matters } from './matters';
import { measuresByMatter } from './measures';
import { decidingDepartments, recordCategories } from './record-categories';

/**
 * A short name of the catalogue this process was built with: the first 16 hex digits of the
 * SHA-256 of the canonical JSON of its tables (departments, matters and who handles them, field
 * groups and who is granted them, which department decides which records, the measures), wording
 * included, as processes answer departments' and matters' names too. The catalogue is code
 * (README, Upgrading): two processes answering the same fingerprint decide alike, and a gateway
 * compares its own with each subgraph's on `/ready` (lib/readiness.ts, gateway/readiness.ts).
 * Computed once, when the module loads.
 */
export const catalogueFingerprint = sha256Hex(
  canonicalJson({
    departments,
    matters,
    fieldGroups,
    purposeGrants,
    standingGrants,
    recordCategories: recordCategories.map((category) => ({ ...category, decidedBy: decidingDepartments(category) })),
    measuresByMatter,
  }),
).slice(0, 16);
