import * as fieldGroups from '../access/field-groups';
import * as policy from '../access/policy';
import { canonicalJson, sha256Hex } from '../canonical-json';
import * as departments from './departments';
import * as district from './district';
import * as matters from './matters';
import * as measures from './measures';
import * as providerSupervision from './provider-supervision';
import * as publicSources from './public-sources';
import * as recordCategories from './record-categories';
import * as recordStanding from './record-standing';

/**
 * The modules of the catalogue and the policy (README, Upgrading: a change to them is a release),
 * each by its path under lib/. A test changes each table of every file of lib/catalogue/ and
 * expects the fingerprint to move: a module added there and not here fails it.
 */
const catalogueModules: Record<string, object> = {
  'catalogue/departments': departments,
  'catalogue/district': district,
  'catalogue/matters': matters,
  'catalogue/measures': measures,
  'catalogue/provider-supervision': providerSupervision,
  'catalogue/public-sources': publicSources,
  'catalogue/record-categories': recordCategories,
  'catalogue/record-standing': recordStanding,
  'access/policy': policy,
  'access/field-groups': fieldGroups,
};

/** A module's tables: everything it exports that is data, not a function (which decides by them). A table a module reads alone is exported for this. */
const tablesOf = (module: object) => Object.fromEntries(Object.entries(module).filter(([, value]) => typeof value !== 'function'));

/**
 * A short name of the catalogue this process was built with: the first 16 hex digits of the
 * SHA-256 of the canonical JSON of every table of its modules (departments, matters and who
 * handles them, field groups and who is granted them, which department decides which records,
 * the disclosure periods and restoration rules, the measures, what each provider's filing status
 * and supervision class allow, the public sources' names, the district's identity, a tax grade's term, …), wording included,
 * as processes answer departments' and matters' names too. The catalogue is code (README,
 * Upgrading): two processes answering the same fingerprint hold the same tables (not the same
 * functions over them: a release changing only a rule's code answers the same), and a gateway compares its
 * own with each subgraph's on `/ready` (lib/readiness.ts, gateway/readiness.ts). Computed once,
 * when the module loads.
 */
export const catalogueFingerprint = sha256Hex(canonicalJson(Object.fromEntries(Object.entries(catalogueModules).map(([name, module]) => [name, tablesOf(module)])))).slice(0, 16);
