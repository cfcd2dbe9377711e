import type { DemoWorld } from '../demo/world';

/**
 * What the benchmark asks, as a department officer of the finance bureau asks it before a
 * government procurement (the demo caller's token and purpose headers; procurement reads
 * organisations only). Each scenario rotates over many subjects so that no cache above the
 * database answers for it.
 */
export interface Scenario {
  name: string;
  title: string;
  /** Served by one subgraph alone: measured against that subgraph directly too (the limit). */
  subgraph?: 'entities';
  /** The request bodies, used in turn. */
  bodies: string[];
}

const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

const creditCheck = /* GraphQL */ `
  query BenchCreditCheck($code: String!) {
    subjectByCode(code: $code) {
      name kind status
      creditRecords(filter: { statuses: [ACTIVE] }, first: 20) {
        totalCount
        edges { node { category severity decisionDate documentNumber summary } }
      }
      creditReports(first: 5) {
        edges { node { reportNumber grade issuedOn validUntil isWithinValidity issuer { name filingStatus supervisionClass } } }
      }
    }
  }
`;

const subjectList = /* GraphQL */ `
  query BenchSubjectList($name: String!) {
    searchSubjects(name: $name, first: 20) {
      edges {
        node {
          name kind status
          creditRecords(first: 5) { totalCount edges { node { category severity decisionDate status } } }
          creditReports(first: 3) { edges { node { reportNumber validUntil isWithinValidity issuer { name } } } }
        }
      }
    }
  }
`;

const lookup = /* GraphQL */ `
  query BenchLookup($code: String!) {
    subjectByCode(code: $code) { id name kind status registrationDate registeredAddress }
  }
`;

/** Search terms: districts and trades of the demo world's names, so each page has 20 subjects. */
const nameTerms = ['海滨', '金沙', '联峰', '戴河', '刘庄', '草场', '西山', '东山', '赤土山', '牛头崖', '商贸', '物流', '餐饮管理', '酒店管理', '宏达', '鑫源'];

export function benchScenarios(world: DemoWorld, rotation = 500): Scenario[] {
  const organisations = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
  // Spread over the whole data set, not its first pages.
  const codes = Array.from({ length: Math.min(rotation, organisations.length) }, (_, i) => organisations[Math.floor((i * organisations.length) / rotation) % organisations.length].identifier);
  return [
    { name: 'credit-check', title: "a department's credit check of one subject: active records, reports and each report's provider (3 subgraphs)", bodies: codes.map((code) => body(creditCheck, { code })) },
    { name: 'subject-list', title: 'a list of 20 subjects with their records and reports (4 subgraphs)', bodies: nameTerms.map((name) => body(subjectList, { name })) },
    { name: 'lookup', title: 'a one-subgraph lookup: a subject by its code (entities)', subgraph: 'entities', bodies: codes.map((code) => body(lookup, { code })) },
  ];
}
