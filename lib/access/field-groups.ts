/**
 * Named groups of fields the policy grants together. Each guarded field in a subgraph SDL names
 * its group with `@grant(group: "...")`; a test checks every group named there is listed here.
 */
export const fieldGroups = {
  PROVIDER_REGISTRY: 'The public registry of credit service providers: name, code, contact telephone, filing status, class. Readable by anyone.',
  SUBJECT_BASICS: "A subject's registration basics: name, kind, code, status, registration date, legal representative, registered address.",
  PERSONAL_IDENTIFIERS: "A natural person's citizen ID number and address in full, and the citizen ID numbers and mobile numbers written in free text (a record's summary, a case's reasons), which the organisation that wrote it reads whole anyway; without it they are masked.",
  PUBLIC_RECORDS: 'Credit records disclosed to the public (licences, penalties, enforcement, honours, tax grades, commitments, contract performance).',
  DISHONESTY_LISTS: 'The serious-dishonesty list (严重失信主体名单) and dishonest judgment debtors (失信被执行人).',
  RESTRICTED_RECORDS: 'Records restored, withdrawn or past their disclosure period: kept for history, shown only for supervision and to the subject. (A record under objection still counts and is shown, marked OBJECTED, to whoever reads its category.)',
  REPORTS: 'Credit reports registered for a subject.',
  DISCLOSURE_LOG: "Who read a subject's credit data (the subject's own view of the audit log).",
  AUDIT: 'The audit log of every disclosure, for the credit office.',
  STATISTICS: 'Aggregate counts, with no subject named.',
  SUPERVISION_STATISTICS: "The credit office's assessment of departments (考核, policy 五(一)), read in its supervision (CREDIT_SUPERVISION) only: the credit checks' measures called for and applied, which count findings, and how each department supplies records and handles objections and restorations.",
  SUBJECT_REGISTRATION: 'Registering market subjects.',
  PROVIDER_ADMINISTRATION: "Credit service providers' filing workflow and supervision: deciding filings and changes of filed particulars, setting classes, recording and withdrawing violations, imposing sanctions, and reading who acted.",
  PROVIDER_SUPERVISION_FILE: "A credit service provider's supervision file: the violations recorded against it and their sanctions, each application and each change of its filed particulars as submitted, and the sanction behind each step of its history. Registry admins read every provider's; a provider reads its own, and no other's (the providers subgraph checks which).",
  PROVIDER_APPLICATION: "A credit service provider applying for filing (申请备案) in its own name, resubmitting a returned application, and applying for a change of its filed particulars (变更备案).",
  REPORT_REGISTRATION: "Registering credit reports obtained elsewhere in the caller's department's name, recording what checking one with its issuer found, and withdrawing one registered by mistake; the request's purpose must also grant reading the subject's reports (the credit office's, its supervision).",
  REPORT_GENERATION: "Generating the platform's public credit report (公共信用信息报告) for a subject: departments in a case, the credit office, and a subject for itself (SELF_INQUIRY); the request's purpose must also grant reading the subject's records.",
  CREDIT_CHECK: 'Running a credit check for an administrative matter, and reporting what was applied (信用核查、反馈).',
  CREDIT_CHECK_LEDGER: "Reading the review ledger of credit checks: a department its own, the credit office all.",
  CONSENTS: "A subject's consents (授权), read-only: the grantee (a person's citizen ID number always masked), purpose, validity, who recorded each and who revoked it, when and why. The subject reads its own, the credit office's window those of the subjects it serves, the credit office's supervision any subject's (the consent an audit entry cites).",
  CONSENTS_RECEIVED: "The consents given to the caller's own organisation (被授权记录), as their grantee reads them: each one's id (to name in x-credit-consent), its subject's name and code (a person's citizen ID number masked), purpose, validity and status; never who recorded or revoked it, nor why. Banks, credit service providers, enterprises and persons read theirs, with no purpose.",
  CONSENT_REGISTRATION: "Recording a subject's consent and revoking it (授权、撤销授权): the subject itself, or the credit office's window from a signed paper consent (授权书); never the supervision, which reads consents (CONSENTS) but does not give or end them.",
  RECORD_SUBMISSION: "Submitting credit records in the caller's own department's name (one, a batch, or the import command) and reading back what it submitted.",
  RECORD_OBJECTIONS: "Objections to credit records (异议): filing one for a subject and withdrawing it while pending (撤回), deciding those to the records one supplied, reading their outcome. The subject reads its own, a department those to its records and those it filed, the credit office every one; the supervision (CREDIT_SUPERVISION) every department's, to follow up those past their time limit, read-only: a supervising department's supervisor files, withdraws and decides none (the records subgraph checks who acts).",
  RECORD_RESTORATION: 'Credit restoration (信用修复): applying for a subject and withdrawing the application while pending (撤回), deciding applications, reading their outcome.',
  RECORD_HISTORY: "A credit record's history of changes (created, corrected, objected, restored, expired, withdrawn), with who and when.",
  /** Never granted by the catalogue: only the gateway's own identity, to check a consent. */
  CONSENT_VERIFY: 'Looking a consent up to decide a request (the gateway only).',
  /** Never granted by the catalogue: only the gateway's own identity, to write the audit log. */
  AUDIT_WRITE: 'Appending audit entries (the gateway only).',
  /** Never granted by the catalogue: only the gateway's own identity, which audits each view. */
  REPORT_PRINTING: "Fetching a platform report's printable page (the gateway only).",
} as const;

export type FieldGroup = keyof typeof fieldGroups;

/** What only the gateway's own identity holds; the catalogue never grants these to a caller. */
export const gatewayOnlyGroups = ['CONSENT_VERIFY', 'AUDIT_WRITE', 'REPORT_PRINTING'] as const satisfies readonly FieldGroup[];
export const fieldGroupNames = Object.keys(fieldGroups) as FieldGroup[];

/**
 * What the platform's public credit report holds, so what generating one needs the purpose to
 * grant and what a view of its printable page discloses.
 */
export const platformReportGroups = ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS'] as const satisfies readonly FieldGroup[];
