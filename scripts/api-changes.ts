import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BreakingChangeType, DangerousChangeType, findBreakingChanges, findDangerousChanges, type BreakingChange, type DangerousChange } from 'graphql';
import { projectRoot } from '../lib/project-root';
import { apiSchemaOf } from '../schema/compose';
import { supergraphPath } from '../schema/subgraphs';

/**
 * What changed in the API between two releases, as a front-end team meets it:
 * `npm run api-changes -- <from> [<to>]` compares the schema a gateway of each serves to clients
 * (schema/supergraph.graphql at those git revisions; `to` defaults to the working tree) and prints
 * graphql-js's breaking and dangerous changes, grouped by kind. Additions are neither: a new field
 * or type breaks no operation already written. Exit 0 whatever it finds: it informs, it does not
 * gate (`npm run compose:check` is the gate for the supergraph being current).
 */

export interface ApiChanges {
  /** Changes an operation written against `before` may fail validation for, or read wrongly (a field removed, turned nullable). */
  breaking: BreakingChange[];
  /** Changes that break no operation but may surprise a client written against `before` (an enum value it does not know, a new default). */
  dangerous: DangerousChange[];
}

/** The changes to the client-facing schema (apiSchemaOf: what clients are not served is no concern of theirs) from the supergraph `before` to the supergraph `after` (both as SDL text). */
export function apiChanges(before: string, after: string): ApiChanges {
  const [from, to] = [apiSchemaOf(before), apiSchemaOf(after)];
  return { breaking: findBreakingChanges(from, to), dangerous: findDangerousChanges(from, to) };
}

/** What each kind of change means for a client, as a heading: every kind graphql-js reports has one. */
const breakingKinds: Record<BreakingChangeType, string> = {
  [BreakingChangeType.TYPE_REMOVED]: 'types removed',
  [BreakingChangeType.TYPE_CHANGED_KIND]: 'types changed kind (an object became an interface, say)',
  [BreakingChangeType.TYPE_REMOVED_FROM_UNION]: 'types removed from a union',
  [BreakingChangeType.VALUE_REMOVED_FROM_ENUM]: 'enum values removed',
  [BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED]: 'required input fields added (an input sent without them is refused)',
  [BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED]: 'interfaces no longer implemented',
  [BreakingChangeType.FIELD_REMOVED]: 'fields removed',
  [BreakingChangeType.FIELD_CHANGED_KIND]: 'fields whose type changed (non-null to nullable included: the client must handle null)',
  [BreakingChangeType.REQUIRED_ARG_ADDED]: 'required arguments added',
  [BreakingChangeType.ARG_REMOVED]: 'arguments removed',
  [BreakingChangeType.ARG_CHANGED_KIND]: 'arguments whose type changed',
  [BreakingChangeType.DIRECTIVE_REMOVED]: 'directives removed',
  [BreakingChangeType.DIRECTIVE_ARG_REMOVED]: 'directive arguments removed',
  [BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED]: 'required directive arguments added',
  [BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED]: 'directives no longer repeatable',
  [BreakingChangeType.DIRECTIVE_LOCATION_REMOVED]: 'directive locations removed',
};

const dangerousKinds: Record<DangerousChangeType, string> = {
  [DangerousChangeType.VALUE_ADDED_TO_ENUM]: 'enum values added (a client must not fail on a value it does not know)',
  [DangerousChangeType.TYPE_ADDED_TO_UNION]: 'types added to a union',
  [DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED]: 'optional input fields added',
  [DangerousChangeType.OPTIONAL_ARG_ADDED]: 'optional arguments added',
  [DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED]: 'interfaces newly implemented',
  [DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE]: 'argument defaults changed',
};

/** The changes as a front-end team reads them: breaking first, each group under what it means, in graphql-js's words. */
export function describeApiChanges(changes: ApiChanges, from: string, to: string): string {
  const lines = [`API changes from ${from} to ${to} (the schema the gateway serves to clients):`];
  const section = (title: string, found: { type: string; description: string }[], kinds: Record<string, string>) => {
    lines.push('', `${title} (${found.length})${found.length ? ':' : ': none'}`);
    for (const [type, heading] of Object.entries(kinds)) {
      const ofKind = found.filter((c) => c.type === type);
      if (ofKind.length) lines.push(`  ${heading} (${ofKind.length})`, ...ofKind.map((c) => `    ${c.description}`));
    }
  };
  section('Breaking', changes.breaking, breakingKinds);
  section('Dangerous', changes.dangerous, dangerousKinds);
  lines.push('', 'Additions (new types, fields, optional arguments of their own) are not listed: they break no operation already written.');
  return lines.join('\n');
}

/** The supergraph as committed at git revision `revision`, or in the working tree when none is given. */
export function supergraphAt(revision: string | undefined): string {
  if (revision === undefined) return fs.readFileSync(supergraphPath, 'utf8');
  const file = path.relative(projectRoot, supergraphPath).split(path.sep).join('/');
  try {
    return execFileSync('git', ['show', `${revision}:${file}`], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const said = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new UnknownRevision(`cannot read ${file} at ${JSON.stringify(revision)}: ${said || (error as Error).message}`);
  }
}

class UnknownRevision extends Error {}

export function main(argv: string[]): number {
  const revisions = argv.filter((a) => a !== '--');
  // A revision starting with `-` would reach git as an option.
  if (revisions.length < 1 || revisions.length > 2 || revisions.some((r) => r.startsWith('-'))) {
    console.error('usage: npm run api-changes -- <from git revision> [<to git revision>, the working tree by default]');
    return 2;
  }
  const [from, to] = revisions;
  let before: string;
  let after: string;
  try {
    [before, after] = [supergraphAt(from), supergraphAt(to)];
  } catch (error) {
    if (!(error instanceof UnknownRevision)) throw error;
    console.error(`[api-changes] ${error.message}`);
    return 2;
  }
  console.log(describeApiChanges(apiChanges(before, after), from, to ?? 'the working tree'));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
