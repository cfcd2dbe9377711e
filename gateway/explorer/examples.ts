import { todayInDistrict } from '../../lib/calendar';
import { purposeHeaders, type Caller } from '../../lib/access/identity';
import type { ExplorerExample } from './settings';

/** The demo callers the examples are meant for, when the explorer lists demo tokens. */
export interface ExampleCallers {
  department?: string;
  /** The demo department officer's case (its x-credit-case), the department's examples' case in the demo. */
  departmentCase?: string;
  analyst?: string;
  supervisor?: string;
  registryAdmin?: string;
  subject?: string;
  provider?: string;
  /** The demo provider's unified social credit code (its token's org) and the consent it collects under (its x-credit-consent). */
  providerCode?: string;
  providerConsent?: string;
}

/** Picks, from the demo callers, the one each example is for (by role and organisation, not by label). */
export function exampleCallers(callers: { label: string; caller: Caller; headers: Record<string, string> }[]): ExampleCallers {
  const find = (test: (c: Caller) => boolean) => callers.find((c) => test(c.caller));
  const department = find((c) => c.role === 'DEPARTMENT_OFFICER' && c.organisation === 'FINANCE');
  const provider = find((c) => c.organisationKind === 'CREDIT_SERVICE_PROVIDER');
  return {
    department: department?.label,
    departmentCase: department?.headers[purposeHeaders.caseNumber],
    analyst: find((c) => c.role === 'ANALYST')?.label,
    supervisor: find((c) => c.role === 'CREDIT_OFFICE_SUPERVISOR')?.label,
    registryAdmin: find((c) => c.role === 'REGISTRY_ADMIN')?.label,
    subject: find((c) => c.role === 'EXTERNAL_USER' && Boolean(c.subjectId))?.label,
    provider: provider?.label,
    providerCode: provider?.caller.organisation,
    providerConsent: provider?.headers[purposeHeaders.consentId],
  };
}

/** A code that passes GB 32100 validation, for deployments without the demo world: replace it. */
const placeholderCode = '91130304MA0TEXT12Y';

/**
 * The saved operations the explorer opens with, per kind of user, with the purpose each is sent
 * under: a department's look at a subject and its recorded credit check, an analyst's statistics,
 * the credit office's assessment of the measures departments applied, a registry admin's review,
 * a market subject's own credit. A case number only comes with the demo callers: an officer's
 * reads are audited under the case in the bar, which must be theirs, never a made-up one.
 */
export function explorerExamples(options: { subjectCode?: string; subjectId?: string; consentingSubjectId?: string; callers?: ExampleCallers; now?: Date } = {}): ExplorerExample[] {
  const today = todayInDistrict(options.now);
  const year = today.slice(0, 4);
  // Completed days of this year, or of the last one on New Year's Day: never an empty window.
  const sinceYearStart = today.endsWith('-01-01') ? `${Number(year) - 1}-01-01` : `${year}-01-01`;
  const procurement = { matter: 'GOVERNMENT_PROCUREMENT', ...(options.callers?.departmentCase ? { caseNumber: options.callers.departmentCase } : {}) };
  return [
    {
      name: 'DepartmentSubjectCheck',
      title: 'a supplier’s credit records and reports before a procurement (区财政局)',
      audience: 'Department officer',
      query: /* GraphQL */ `# A department's check of a market subject before an administrative matter: here the finance
# bureau, for a government procurement case (x-credit-matter GOVERNMENT_PROCUREMENT, and the case
# being decided in x-credit-case: set both in the bar).
query DepartmentSubjectCheck($code: String!) {
  subjectByCode(code: $code) {
    name
    kind
    status
    registrationDate
    # The negative records a credit check counts today, a listing under objection (OBJECTED) too.
    creditRecords(filter: { polarity: NEGATIVE, countsInCheck: true }) {
      totalCount
      edges { node { category severity status decisionDate documentNumber summary sourceDepartment { code nameZh } } }
    }
    creditReports {
      edges { node { source issuerName grade validUntil isWithinValidity } }
    }
  }
}
`,
      variables: { code: options.subjectCode ?? placeholderCode },
      purpose: procurement,
      demoCaller: options.callers?.department,
    },
    {
      name: 'DepartmentCreditCheck',
      title: 'run and record a credit check for a procurement case (信用核查)',
      audience: 'Department officer',
      query: /* GraphQL */ `# A department's credit check (信用核查), recorded in the review ledger: $matter and
# $caseNumber must be the request's purpose, the matter and case set in the bar (x-credit-matter,
# x-credit-case). $idempotencyKey is made afresh each time the example is opened: running this tab
# again (after Stop, or a lost answer) answers the check it first ran, rather than running a
# second. For another subject or case, open the example again (the same key is then refused).
mutation DepartmentCreditCheck($subjectId: ID!, $matter: String!, $caseNumber: String!, $idempotencyKey: String) {
  runCreditCheck(input: { subjectId: $subjectId, matter: $matter, caseNumber: $caseNumber, idempotencyKey: $idempotencyKey }) {
    id
    verdict
    measures { kind nameZh polarity situation triggeredBy { documentNumber summary } }
    recordsConsidered { category severity decisionDate summary }
    reportRequirement { required satisfied reliedOn { reportNumber grade validUntil } considered { reportNumber accepted reasons } }
  }
}
`,
      // Without demo callers the case is left blank, for the officer to fill in.
      variables: { subjectId: options.subjectId ?? '00000000-0000-4000-8000-000000000000', matter: procurement.matter, caseNumber: procurement.caseNumber ?? '' },
      freshKeys: ['idempotencyKey'],
      purpose: procurement,
      demoCaller: options.callers?.department,
    },
    {
      name: 'AnalystStatistics',
      title: `credit records decided and use of credit data from ${sinceYearStart} to yesterday, and subject counts`,
      audience: 'Analyst',
      query: /* GraphQL */ `# An analyst's statistics (x-credit-matter STATISTICAL_ANALYSIS): credit records decided per
# department, kind of subject, category and severity; use of credit data per organisation and
# matter, over completed district days (to today's midnight); and subjects by name with counts of
# their records. Organisations only, no reports: no person's record, ID number or report. Their
# basics are what business registration makes public, and may name persons: a legal
# representative, and an individual business's (个体工商户) operator, often in the business's name.
query AnalystStatistics($fromDay: Date!, $toDay: Date!, $from: DateTime!, $to: DateTime!) {
  creditRecordStatistics(from: $fromDay, to: $toDay) {
    rows { sourceDepartment { code nameZh } subjectKind category polarity severity folded suppressed records subjects }
  }
  auditStatistics(from: $from, to: $to) { organisation readerKind folded matter disclosed denied subjects }
  searchSubjects(name: "海滨", first: 10) {
    totalCount
    edges { node { name kind creditRecords(filter: { polarity: NEGATIVE }, first: 1) { totalCount } } }
  }
}
`,
      variables: { fromDay: sinceYearStart, toDay: today, from: `${sinceYearStart}T00:00:00+08:00`, to: `${today}T00:00:00+08:00` },
      purpose: { matter: 'STATISTICAL_ANALYSIS' },
      demoCaller: options.callers?.analyst,
    },
    {
      name: 'CreditOfficeAssessment',
      title: `how departments applied the measures their checks called for in ${year} (考核)`,
      audience: 'Credit office supervisor',
      query: /* GraphQL */ `# The credit office's assessment (x-credit-matter CREDIT_SUPERVISION): per department and
# matter, the joint punishments and incentives the checks called for and how many were applied,
# then the checks whose department reported feedback without applying a punishment called for
# (an excluded subject admitted, say), with what the department said.
query CreditOfficeAssessment($from: DateTime!, $to: DateTime!, $fromDay: Date!, $toDay: Date!) {
  creditCheckStatistics(from: $from, to: $to) {
    department { code nameZh } matter checks withFeedback
    punishment { calledFor applied shareApplied checksNotApplied }
    incentive { calledFor applied shareApplied checksNotApplied }
  }
  creditChecks(measuresNotApplied: true, notAppliedPolarity: PUNISHMENT, from: $from, to: $to, first: 20) {
    totalCount
    edges { node { department { code nameZh } matter caseNumber checkedAt verdict feedback { appliedMeasures note } } }
  }
  # How each department supplied its records and handled objections and restorations (归集和处理).
  departmentHandlingStatistics(from: $fromDay, to: $toDay) {
    department { code nameZh }
    intake { created corrected }
    objections { filed accepted rejected decidedLate pending overdue }
    objectionBacklog { atStart atEnd }
    restorations { filed approved rejected closed pending }
  }
}
`,
      variables: { from: `${year}-01-01T00:00:00+08:00`, to: `${Number(year) + 1}-01-01T00:00:00+08:00`, fromDay: `${year}-01-01`, toDay: `${Number(year) + 1}-01-01` },
      purpose: { matter: 'CREDIT_SUPERVISION' },
      demoCaller: options.callers?.supervisor,
    },
    {
      name: 'RegistryReview',
      title: 'the credit service provider registry (信用服务机构备案)',
      audience: 'Registry admin',
      query: /* GraphQL */ `# A provider registry admin reviews the filed providers, the names each was filed under, a
# change of its filed particulars (变更备案) awaiting decision, and what each has issued.
query RegistryReview {
  creditServiceProviders(first: 20) {
    totalCount
    edges {
      node {
        name unifiedSocialCreditCode filingStatus supervisionClass filedOn inGoodStanding
        nameHistory { name from until }
        pendingFilingChange { id appliedAt changes { particular before after } reason }
        issuedReports(first: 5) { totalCount edges { node { reportNumber validUntil } } }
      }
    }
  }
}
`,
      purpose: {},
      demoCaller: options.callers?.registryAdmin,
    },
    {
      name: 'OwnCredit',
      title: 'its own credit records, objections, restoration applications and who read them (本主体查询)',
      audience: 'Market subject',
      query: /* GraphQL */ `# A market subject signed in as itself (an enterprise's or a person's own account) reads its
# own credit (x-credit-matter SELF_INQUIRY): every record with its history, its objections and
# restoration applications, and who read its credit data (查询记录).
query OwnCredit {
  viewer {
    subject {
      name
      creditRecords(first: 20) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            id category polarity severity status countsInCheck documentNumber decisionDate disclosureEndsAt restorableFrom summary
            sourceDepartment { code nameZh }
            history { kind occurredAt organisation reason }
            objections { status reason submittedAt decisionDueBy decisionReason }
            restorationApplications { status submittedAt decidedAt decisionReason }
          }
        }
      }
      disclosures(first: 20) {
        totalCount
        edges { node { occurredAt organisation organisationKind matter caseNumber } }
      }
    }
  }
}
`,
      purpose: { matter: 'SELF_INQUIRY' },
      demoCaller: options.callers?.subject,
    },
    {
      name: 'ProviderCollection',
      title: 'a subject’s public credit data, collected with its consent (信用服务机构采集)',
      audience: 'Credit service provider',
      query: /* GraphQL */ `# A filed credit service provider collects a subject's public credit data under the subject's
# consent (x-credit-matter PROVIDER_DATA_COLLECTION, and the consent's id in x-credit-consent:
# set both in the bar); refused PROVIDER_MAY_NOT_COLLECT while its filing or class does not allow it.
query ProviderCollection($id: ID!) {
  subject(id: $id) {
    id
    name
    kind
    status
    creditRecords(first: 20) {
      totalCount
      edges { node { id category polarity decisionDate summary } }
    }
  }
}
`,
      variables: { id: options.consentingSubjectId ?? '00000000-0000-0000-0000-000000000000' },
      purpose: { matter: 'PROVIDER_DATA_COLLECTION', ...(options.callers?.providerConsent ? { consentId: options.callers.providerConsent } : {}) },
      demoCaller: options.callers?.provider,
    },
    {
      name: 'ProviderOwnFile',
      title: 'its own filing and supervision file (本机构备案和监管档案)',
      audience: 'Credit service provider',
      query: /* GraphQL */ `# A credit service provider reads its own filing and supervision file: its filed particulars,
# its standing, the violations and sanctions the registry recorded, and its filing history. No
# purpose needed.
query ProviderOwnFile($code: String!) {
  creditServiceProviderByCode(code: $code) {
    id name filingStatus supervisionClass filedOn inGoodStanding contact
    violations { id kind occurredOn description }
    sanctions { id kind imposedAt }
    filingHistory { id action fromStatus toStatus reason occurredAt }
  }
}
`,
      variables: { code: options.callers?.providerCode ?? placeholderCode },
      purpose: {},
      demoCaller: options.callers?.provider,
    },
  ];
}
