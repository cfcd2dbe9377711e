import fs from 'node:fs';
import { parse, visit } from 'graphql';
import { fieldGroupNames, gatewayOnlyGroups } from '../../lib/access/field-groups';
import { decideGrants, purposeGrants, purposeRefusalFor, refusalOfPurpose, standingGrants } from '../../lib/access/policy';
import type { Caller, Purpose } from '../../lib/access/identity';
import { findMatter } from '../../lib/catalogue/matters';
import { matters } from '../../lib/catalogue/matters';
import { subgraphNames, readSdl, supergraphPath } from '../../schema/subgraphs';
import { accessDocPath, renderAccessDoc } from '../../scripts/docs';
import { grantOf } from '../../subgraphs/shared/access';

describe('the access policy catalogue', () => {
  it('names only field groups that exist, in SDLs and in grants', () => {
    const named = new Set<string>();
    for (const name of subgraphNames) {
      visit(parse(readSdl(name)), { FieldDefinition: (field) => void (grantOf(field) && named.add(grantOf(field)!)) });
    }
    for (const group of [...named, ...Object.values(purposeGrants).flat(), ...standingGrants.flatMap((g) => g.groups)]) {
      expect(fieldGroupNames as string[]).toContain(group);
    }
  });

  it('gives a grant list to every purpose, and only to purposes', () => {
    expect(Object.keys(purposeGrants).sort()).toEqual(matters.map((m) => m.code).sort());
  });

  it('never hands out the gateway-only groups', () => {
    const granted = [...Object.values(purposeGrants).flat(), ...standingGrants.flatMap((g) => g.groups)];
    expect(gatewayOnlyGroups).toEqual(expect.arrayContaining(['AUDIT_WRITE', 'CONSENT_VERIFY', 'REPORT_PRINTING']));
    for (const group of gatewayOnlyGroups) expect(granted).not.toContain(group);
  });

  it('makes every guarded field nullable, unless everyone is granted its group', () => {
    const everyone = new Set<string>(standingGrants.filter((g) => g.anonymous).flatMap((g) => g.groups));
    const offenders: string[] = [];
    for (const name of subgraphNames) {
      visit(parse(readSdl(name)), {
        FieldDefinition: (field) => {
          const group = grantOf(field);
          if (group && !everyone.has(group) && field.type.kind === 'NonNullType') offenders.push(`${name}: ${field.name.value}`);
        },
      });
    }
    expect(offenders).toEqual([]);
  });

  it.each([
    ['the finance bureau for procurement', { id: 'u', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'C-1' }, undefined],
    ['the finance bureau for personnel review', { id: 'u', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'PERSONNEL_REVIEW', caseNumber: 'C-1' }, ['FINANCE is not a department responsible for PERSONNEL_REVIEW', 'DEPARTMENT_NOT_RESPONSIBLE', 'matter']],
    ['the credit office for a "relevant departments" matter', { id: 'u', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'AWARDS_AND_RATINGS', caseNumber: 'C-1' }, ['CREDIT_OFFICE is not a department responsible for AWARDS_AND_RATINGS', 'DEPARTMENT_NOT_RESPONSIBLE', 'matter']],
    ['a public institution with administrative functions for a "relevant departments" matter', { id: 'u', organisation: 'PUBLIC_RESOURCE_TRADING_CENTRE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'AWARDS_AND_RATINGS', caseNumber: 'C-1' }, undefined],
    ['a public institution for a matter of named departments', { id: 'u', organisation: 'PUBLIC_RESOURCE_TRADING_CENTRE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'C-1' }, ['PUBLIC_RESOURCE_TRADING_CENTRE is not a department responsible for GOVERNMENT_PROCUREMENT', 'DEPARTMENT_NOT_RESPONSIBLE', 'matter']],
    ['a bank without a consent', { id: 'u', organisation: 'BANK', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' }, { matter: 'FINANCIAL_SERVICES' }, ["FINANCIAL_SERVICES needs the subject's consent", 'CONSENT_REQUIRED', 'consentId']],
    ['a bank for procurement', { id: 'u', organisation: 'BANK', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' }, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'C-1' }, ['not open to FINANCIAL_INSTITUTION', 'MATTER_NOT_OPEN_TO_CALLER', 'matter']],
    ['an unknown matter', { id: 'u', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'LUNCH' }, ['is not a matter', 'UNKNOWN_MATTER', 'matter']],
  ] as const)('decides %s', (_label, caller, purpose, refusal) => {
    const decision = decideGrants(caller, purpose);
    if (refusal) {
      const [message, problem, part] = refusal;
      expect(decision.purposeRefused).toEqual({ problem, part, message: expect.stringContaining(message) });
      expect(decision.groups).not.toContain('SUBJECT_BASICS');
    } else {
      expect(decision.purposeRefused).toBeUndefined();
      expect(decision.groups).toEqual(expect.arrayContaining(['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS']));
      expect(decision.groups).not.toContain('PERSONAL_IDENTIFIERS');
    }
  });

  it.each([
    ['the credit office', 'CREDIT_OFFICE', 'DEPARTMENT', true],
    ['the establishment office', 'ESTABLISHMENT_OFFICE', 'DEPARTMENT', true],
    ['a department that supervises nothing', 'FINANCE', 'DEPARTMENT', false],
    ['a bank', 'BANK', 'FINANCIAL_INSTITUTION', false],
    ['an enterprise', '91130304MA0TEXT1X8', 'ENTERPRISE', false],
  ] as const)('gives the audit log and the statistics to a supervisor of %s: %s', (_label, organisation, organisationKind, granted) => {
    const { groups } = decideGrants({ id: 'u', organisation, organisationKind, role: 'CREDIT_OFFICE_SUPERVISOR' }, null);
    expect({ audit: groups.includes('AUDIT'), statistics: groups.includes('STATISTICS') }).toEqual({ audit: granted, statistics: granted });
  });

  it.each([
    ['the credit office', 'CREDIT_OFFICE', 'DEPARTMENT', true],
    ['another department', 'FINANCE', 'DEPARTMENT', false],
    ['a credit service provider', '91130304MA000901XY', 'CREDIT_SERVICE_PROVIDER', false],
    ['a bank', 'BANK', 'FINANCIAL_INSTITUTION', false],
  ] as const)('gives provider administration to a registry admin of %s: %s', (_label, organisation, organisationKind, granted) => {
    const { groups } = decideGrants({ id: 'u', organisation, organisationKind, role: 'REGISTRY_ADMIN' }, null);
    expect(groups.includes('PROVIDER_ADMINISTRATION')).toBe(granted);
  });

  it.each([
    ['the credit office’s window', 'CREDIT_OFFICE', true],
    ['a department deciding a case', 'FINANCE', false],
    ['another department', 'TAXATION', false],
  ] as const)('lets an officer of %s record, revoke and read consents for a subject: %s', (_label, organisation, granted) => {
    for (const purpose of [null, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0001' }]) {
      const { groups } = decideGrants({ id: 'u', organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, purpose);
      expect({ read: groups.includes('CONSENTS'), write: groups.includes('CONSENT_REGISTRATION') }).toEqual({ read: granted, write: granted });
    }
  });

  it.each([
    ['the credit office', 'CREDIT_OFFICE'],
    ['the administrative approval bureau', 'ADMINISTRATIVE_APPROVAL'],
    ['the establishment office', 'ESTABLISHMENT_OFFICE'],
  ] as const)('lets a supervisor of %s read consents in its supervision, and never record or revoke one', (_label, organisation) => {
    const caller = { id: 'u', organisation, organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' } as const;
    const supervising = decideGrants(caller, { matter: 'CREDIT_SUPERVISION' }).groups;
    expect({ read: supervising.includes('CONSENTS'), write: supervising.includes('CONSENT_REGISTRATION') }).toEqual({ read: true, write: false });
    // Reading a subject's consents is reading its data: under the supervision purpose, not standing.
    const standing = decideGrants(caller, null).groups;
    expect({ read: standing.includes('CONSENTS'), write: standing.includes('CONSENT_REGISTRATION') }).toEqual({ read: false, write: false });
  });

  it('grants recording and revoking consents only to the subject itself and the credit office’s window, and reading them besides only to the supervision', () => {
    const purposesGranting = (group: string) => Object.entries(purposeGrants).filter(([, groups]) => (groups as readonly string[]).includes(group)).map(([code]) => code);
    const standingGranting = (group: string) => standingGrants.filter((g) => (g.groups as readonly string[]).includes(group)).map((g) => g.who);
    expect(purposesGranting('CONSENT_REGISTRATION')).toEqual(['SELF_INQUIRY']);
    expect(standingGranting('CONSENT_REGISTRATION')).toEqual(['the credit office’s window officers']);
    expect(purposesGranting('CONSENTS').sort()).toEqual(['CREDIT_SUPERVISION', 'SELF_INQUIRY']);
    expect(standingGranting('CONSENTS')).toEqual(['the credit office’s window officers']);
  });

  it('grants the assessment statistics only in the supervision, to the supervising departments, never on a role’s standing', () => {
    const purposesGranting = Object.entries(purposeGrants).filter(([, groups]) => (groups as readonly string[]).includes('SUPERVISION_STATISTICS')).map(([code]) => code);
    expect(purposesGranting).toEqual(['CREDIT_SUPERVISION']);
    expect(standingGrants.filter((g) => (g.groups as readonly string[]).includes('SUPERVISION_STATISTICS'))).toEqual([]);
    const analyst: Caller = { id: 'u', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' };
    expect(decideGrants(analyst, { matter: 'STATISTICAL_ANALYSIS' }).groups).not.toContain('SUPERVISION_STATISTICS');
    for (const organisation of ['CREDIT_OFFICE', 'ADMINISTRATIVE_APPROVAL', 'ESTABLISHMENT_OFFICE']) {
      const supervisor: Caller = { id: 'u', organisation, organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' };
      expect(decideGrants(supervisor, { matter: 'CREDIT_SUPERVISION' }).groups).toContain('SUPERVISION_STATISTICS');
      expect(decideGrants(supervisor, null).groups).not.toContain('SUPERVISION_STATISTICS');
    }
  });

  describe('which refused purpose a refusal of a field group names', () => {
    const refusal = (caller: Caller, purpose: Purpose) => refusalOfPurpose(caller, purpose, findMatter(purpose.matter));
    const analyst: Caller = { id: 'u', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' };
    const enterprise: Caller = { id: 'u', organisation: '91130304MA0TEXT1X8', organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' };

    it.each([
      ['an analyst naming procurement, for the audit log, which only a standing grant gives', analyst, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'C-1' }, 'AUDIT', undefined],
      ['an analyst naming procurement, for basics, which its own purpose grants', analyst, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'C-1' }, 'SUBJECT_BASICS', 'MATTER_NOT_OPEN_TO_CALLER'],
      ['an analyst naming a made-up matter, for the assessment statistics', analyst, { matter: 'LUNCH' }, 'SUPERVISION_STATISTICS', undefined],
      ['a finance officer without a case number, for reports', { ...analyst, organisation: 'FINANCE', role: 'DEPARTMENT_OFFICER' }, { matter: 'GOVERNMENT_PROCUREMENT' }, 'REPORTS', 'CASE_NUMBER_REQUIRED'],
      // The token's own subject is what it lacks, not the matter: a token naming it would read the trail.
      ['an enterprise’s token naming no subject, for its disclosure log', enterprise, { matter: 'SELF_INQUIRY' }, 'DISCLOSURE_LOG', 'TOKEN_SUBJECT_REQUIRED'],
      ['an enterprise’s token naming no subject, for the audit log', enterprise, { matter: 'SELF_INQUIRY' }, 'AUDIT', undefined],
    ] as const)('%s', (_label, caller, purpose, group, named) => {
      expect(purposeRefusalFor(caller, group, refusal(caller, purpose))?.problem).toBe(named);
    });

    it('names the refused purpose to an anonymous caller, whom a token would let name one', () => {
      const purpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'C-1' };
      expect(purposeRefusalFor(null, 'AUDIT', refusalOfPurpose(null, purpose, findMatter(purpose.matter)))?.problem).toBe('AUTHENTICATION_REQUIRED');
    });
  });

  /** The rows of docs/access.md's table under `heading`, as their cells. */
  const rowsUnder = (heading: string) => {
    const section = renderAccessDoc().split(`\n## ${heading}`)[1].split('\n## ')[0];
    return section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---')).slice(1).map((line) => line.slice(2, -2).split(' | '));
  };

  // The table named who and the departments only: every credit-office caller read as holding AUDIT
  // and STATISTICS, while its registry admins, window officers and analysts are refused both.
  it('prints the organisation kinds and roles each standing grant needs, as the purposes table does', () => {
    const rows = rowsUnder('Standing grants');
    expect(rows).toHaveLength(standingGrants.length);
    standingGrants.forEach((grant, i) => {
      const [who, holders, groups] = rows[i];
      expect(who).toBe(grant.who);
      expect(groups).toBe(grant.groups.join(', '));
      for (const named of [...(grant.organisationKinds ?? []), ...(grant.roles ?? []), ...(grant.departments ?? []).map((code) => `\`${code}\``)]) expect(holders).toContain(named);
    });
    expect(rows.find(([, , groups]) => groups === 'AUDIT, STATISTICS')?.[1]).toBe('DEPARTMENT; CREDIT_OFFICE_SUPERVISOR; 区信用办 `CREDIT_OFFICE`, 区行政审批局 `ADMINISTRATIVE_APPROVAL`, 区编办 `ESTABLISHMENT_OFFICE`');
  });

  // "Relevant departments" left out, unsaid, the credit office, which supervises these matters and decides none (responsibleFor).
  it('names the departments a matter of the relevant departments leaves out', () => {
    const whoOf = (code: string) => rowsUnder('Purposes').find(([purpose]) => purpose.startsWith(`\`${code}\``))?.[2];
    for (const code of ['AWARDS_AND_RATINGS', 'QUALIFICATION_REVIEW', 'OTHER_STATUTORY']) {
      expect(whoOf(code)).toBe('DEPARTMENT; DEPARTMENT_OFFICER; relevant departments (区有关部门) except 区信用办 `CREDIT_OFFICE`');
    }
    expect(whoOf('STATISTICAL_ANALYSIS')).toBe('DEPARTMENT; ANALYST; relevant departments (区有关部门) except 区信用办 `CREDIT_OFFICE`');
  });

  it('documents exactly what it enforces: docs/access.md is rendered from the catalogue and the supergraph', () => {
    expect(fs.existsSync(supergraphPath)).toBe(true);
    expect(fs.readFileSync(accessDocPath, 'utf8')).toBe(renderAccessDoc());
  });
});
