import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { apiChanges, describeApiChanges, main } from '../../scripts/api-changes';

/** A supergraph composed from one small subgraph's SDL, as schema/compose.ts composes the platform's. */
function supergraphOf(typeDefs: string): string {
  const result = composeServices([{ name: 'checks', url: 'http://localhost:4001/graphql', typeDefs: parse(typeDefs) }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@inaccessible"])`;

/** A release: a check with a verdict and a finding subgraphs share among themselves (@inaccessible). */
const before = supergraphOf(/* GraphQL */ `
  ${link}
  enum Verdict { ELIGIBLE EXCLUDED }
  type CreditCheck @key(fields: "id") {
    id: ID!
    verdict: Verdict!
    caseNumber: String!
    reportSatisfied: Boolean @inaccessible
    retired: String
  }
  type Query {
    creditCheck(id: ID!): CreditCheck
    creditChecks(first: Int): [CreditCheck!]!
  }
`);

/** The next: a field removed, one turned nullable, an enum value and an argument added, the hidden finding gone. */
const after = supergraphOf(/* GraphQL */ `
  ${link}
  enum Verdict { ELIGIBLE EXCLUDED NEEDS_STRICT_REVIEW }
  type CreditCheck @key(fields: "id") {
    id: ID!
    verdict: Verdict
    caseNumber: String!
  }
  type Query {
    creditCheck(id: ID!): CreditCheck
    creditChecks(first: Int, caseNumber: String): [CreditCheck!]!
  }
`);

describe('api-changes', () => {
  it('lists the breaking and dangerous changes of the schema clients are served, not of what is @inaccessible', () => {
    const changes = apiChanges(before, after);
    expect(changes.breaking.map((c) => [c.type, c.description])).toEqual([
      ['FIELD_REMOVED', 'CreditCheck.retired was removed.'],
      ['FIELD_CHANGED_KIND', 'CreditCheck.verdict changed type from Verdict! to Verdict.'],
    ]);
    expect(changes.dangerous.map((c) => [c.type, c.description])).toEqual([
      ['OPTIONAL_ARG_ADDED', 'An optional arg caseNumber on Query.creditChecks was added.'],
      ['VALUE_ADDED_TO_ENUM', 'NEEDS_STRICT_REVIEW was added to enum type Verdict.'],
    ]);
    // Nor anything of the federation's own machinery (join__, link__), which no client is served.
    expect(JSON.stringify(changes)).not.toMatch(/reportSatisfied|join__|link__/);
  });

  it('finds nothing between a supergraph and itself', () => {
    expect(apiChanges(before, before)).toEqual({ breaking: [], dangerous: [] });
  });

  it('prints them grouped by what they mean for a client, breaking first', () => {
    expect(describeApiChanges(apiChanges(before, after), 'v1', 'v2')).toBe(
      [
        'API changes from v1 to v2 (the schema the gateway serves to clients):',
        '',
        'Breaking (2):',
        '  fields removed (1)',
        '    CreditCheck.retired was removed.',
        '  fields whose type changed (non-null to nullable included: the client must handle null) (1)',
        '    CreditCheck.verdict changed type from Verdict! to Verdict.',
        '',
        'Dangerous (2):',
        '  enum values added (a client must not fail on a value it does not know) (1)',
        '    NEEDS_STRICT_REVIEW was added to enum type Verdict.',
        '  optional arguments added (1)',
        '    An optional arg caseNumber on Query.creditChecks was added.',
        '',
        'Additions (new types, fields, optional arguments of their own) are not listed: they break no operation already written.',
      ].join('\n'),
    );
    expect(describeApiChanges({ breaking: [], dangerous: [] }, 'v1', 'v1')).toContain('Breaking (0): none');
  });

  describe('the command', () => {
    let out: string[];
    let err: string[];
    beforeEach(() => {
      out = [];
      err = [];
      jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
      jest.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    });
    afterEach(() => jest.restoreAllMocks());

    it('compares the committed supergraph at a revision with the working tree, and exits 0', () => {
      expect(main(['--', 'HEAD'])).toBe(0);
      expect(out.join('\n')).toMatch(/^API changes from HEAD to the working tree /);
    });

    it('names a revision it cannot read, and exits 2', () => {
      expect(main(['no-such-revision-xyz'])).toBe(2);
      expect(err.join('\n')).toMatch(/^\[api-changes\] cannot read schema\/supergraph\.graphql at "no-such-revision-xyz": /);
    });

    it('says how it is used when given no revision, or what git would take for an option', () => {
      expect(main([])).toBe(2);
      expect(main(['--output=/tmp/x'])).toBe(2);
      expect(err).toEqual([expect.stringMatching(/^usage: npm run api-changes -- <from/), expect.stringMatching(/^usage:/)]);
    });
  });
});
