import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { subgraphNames } from '../../schema/subgraphs';

/**
 * A migration that calls domain code runs that code as it is at the start that runs the
 * migration, not as it was when the migration was written: change the function, and the old
 * migration silently means something else on every database migrated after the change (as
 * `nameKey` changed before migration 1764000000090). The rule (subgraphs/shared/rerunnable-migrations.ts):
 * a migration calls domain code only to fill what the live code derives the same way when it
 * writes (a key, a search index, a folded form), where re-running it with today's code is what we
 * want; a change to such code needs a migration of its own that derives the stored values again.
 *
 * `allowed` is every such call, migration by migration: a new one fails here, to be seen in review
 * and added with the reason it is allowed. Domain code is whatever a migrations folder imports from
 * outside itself, except TypeORM, Node's modules and the migration plumbing of subgraphs/shared/;
 * type-only imports do not run and are not listed.
 */
const allowed: Record<string, readonly string[]> = {
  // The subjects' name search: its postings and keys are what the search reads, made as it makes them.
  'entities/1764000000020-index-subject-names.ts': ['subgraphs/entities/subject-names nameGrams'],
  'entities/1764000000050-folded-subject-names.ts': ['lib/text nameKey', 'subgraphs/entities/subject-names nameGrams'],
  'entities/1764000000090-subject-names-as-read.ts': [
    'lib/text firstCharacters',
    'lib/text nameKey',
    'lib/text withoutInvisible',
    'subgraphs/entities/entities/subject.entity subjectNameKeyMaxLength',
    'subgraphs/entities/subject-names bigramsOf',
    'subgraphs/entities/subject-names nameGrams',
  ],
  // The providers' and the report issuers' name keys, which their searches and unique keys read.
  'providers/1764000000340-provider-name-search.ts': ['lib/text nameKey'],
  'providers/1764000000380-rekey-provider-names.ts': ['lib/text nameKey'],
  'reports/1764000000270-issuer-name-key.ts': ['lib/text nameKey', 'lib/text nameKeyMaxLength'],
  // The check's measure kinds, which the ledger's filters read, as runCreditCheck writes them.
  'records/1764000000160-credit-check-findings-as-json.ts': ['subgraphs/records/entities/credit-check.entity measureKindsOf'],
  // The document and case numbers as intake keys records by, and writes them.
  'records/1764000000180-folded-document-and-case-numbers.ts': ['lib/text foldedNumber', 'lib/text writtenDocumentNumber'],
  'records/1764000000210-written-document-numbers.ts': ['lib/text foldedDocumentNumber', 'lib/text writtenDocumentNumber'],
  // A restored or withdrawn record's disclosure end, as the decision writes it.
  'records/1764000000200-disclosure-ended-by-decision.ts': ['lib/calendar todayInDistrict', 'lib/catalogue/record-categories disclosureEndsAt', 'lib/catalogue/record-standing disclosureEndedBy'],
};

const root = path.join(__dirname, '../..');

/** What `file` (in `folder`) imports from domain code, as `<module from the repository root> <name>`. */
function domainImports(folder: string, file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(folder, file), 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const specifier = statement.moduleSpecifier.text;
    // A package (typeorm, node:…) or the migrations folder itself, whose files are checked in turn.
    if (!specifier.startsWith('.') || specifier.startsWith('./')) continue;
    const module = path.relative(root, path.resolve(folder, specifier)).split(path.sep).join('/');
    if (module.startsWith('subgraphs/shared/')) continue;
    const names: string[] = [];
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) {
        if (!clause) names.push('(run for its effects)');
      } else {
        if (clause.name) names.push('default');
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
        if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text));
      }
    } else if (!statement.isTypeOnly) {
      const clause = statement.exportClause;
      if (!clause || !ts.isNamedExports(clause)) names.push('*');
      else names.push(...clause.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text));
    }
    found.push(...names.map((name) => `${module} ${name}`));
  }
  return found.sort();
}

describe("migrations' calls of domain code", () => {
  it('are the ones allowed, each for a stored form the live code derives alike', () => {
    const actual: Record<string, string[]> = {};
    for (const subgraph of subgraphNames) {
      const folder = path.join(root, 'subgraphs', subgraph, 'migrations');
      for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
        const imports = domainImports(folder, file);
        if (imports.length) actual[`${subgraph}/${file}`] = imports;
      }
    }
    const expected = Object.fromEntries(Object.entries(allowed).map(([file, imports]) => [file, [...imports].sort()]));
    // On a difference: a migration that must call domain code is added to `allowed` with why
    // (the rule above); otherwise it states what it writes in SQL or in values of its own.
    expect(actual).toEqual(expected);
  });
});
