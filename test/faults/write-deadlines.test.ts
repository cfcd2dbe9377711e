import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditWriter, type AuditEntryInput as GatewayAuditEntry } from '../../gateway/audit-writer';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { identityHeader, signerFor } from '../../lib/access/identity';
import { RequestDeadline, timeoutHeader } from '../../lib/deadline';
import { InternalCallRefused, InternalClient } from '../../lib/internal-client';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import type { AuditEntryInput } from '../../subgraphs/audit/audit.repository';
import { AuditChain } from '../../subgraphs/audit/audit-chain';
import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../subgraphs/audit/subgraph';
import { Consent } from '../../subgraphs/entities/entities/consent.entity';
import { Subject } from '../../subgraphs/entities/entities/subject.entity';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { CreditServiceProvider } from '../../subgraphs/providers/entities/credit-service-provider.entity';
import { providersSubgraph } from '../../subgraphs/providers/subgraph';
import { CreditRecord } from '../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordObjection } from '../../subgraphs/records/entities/credit-record-objection.entity';
import { resolvers as recordsResolvers } from '../../subgraphs/records/resolvers';
import { createRecordsSubgraph } from '../../subgraphs/records/subgraph';
import { CheckReportRequirement } from '../../subgraphs/reports/entities/check-report-requirement.entity';
import { CreditReport } from '../../subgraphs/reports/entities/credit-report.entity';
import { ReportVerification } from '../../subgraphs/reports/entities/report-verification.entity';
import { reportsSubgraph } from '../../subgraphs/reports/subgraph';
import { accessOf } from '../../subgraphs/shared/access';
import type { SubgraphDefinition } from '../../subgraphs/shared/subgraph';
import type { SubjectDirectory } from '../../subgraphs/shared/subject-directory';
import { inTurn } from '../../subgraphs/shared/write-queue';
import { testDatabases } from '../helpers/databases';
import { signedBy, testSigningKey } from '../helpers/identity';
import { useSubgraph } from '../helpers/subgraph';
import { officerOf } from '../subgraphs/records/records-harness';

/**
 * Every write a request makes keeps within the request's deadline (lib/deadline.ts), in every
 * subgraph: given a request whose time is as good as spent, each subgraph's context (built as
 * the kernel builds it, with the deadline read from `x-request-timeout-ms`) refuses the write with
 * SUBGRAPH_UNAVAILABLE (reason TIMEOUT) and stores nothing, where without a deadline the same
 * write is stored. The audit log's appends, the gateway's own, are refused too when late: the
 * gateway's call says how long it waits, and a late append answers in time, storing nothing.
 */
const world = demoWorld({ subjects: 12 });
const today = todayInDistrict();

/** A request that has 50 ms of its 1000 left: less than the 100 ms its answer needs. */
const spent = (service: string) => new RequestDeadline(1_000, service, Date.now() - 950);
const refusedInTime = (service: string) => ({
  message: expect.stringMatching(/, too little to store the change in time, so nothing was stored: retry later$/),
  extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'TIMEOUT', serviceName: service },
});

/** The context of one request, as the kernel (subgraphs/shared/subgraph.ts) builds it from its deadline. */
function contextOf<TContext extends object>(definition: SubgraphDefinition<TContext>, db: Parameters<SubgraphDefinition<TContext>['createContext']>[0], deadline?: RequestDeadline): TContext {
  return definition.createContext(db, { signingKey: testSigningKey, deadline });
}

describe.each(testDatabases)('writes past the request deadline, on $label', (database) => {
  describe('records', () => {
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    // The subjects exist: the only refusal left is the deadline's.
    // `directoryPause`: how long the directory takes, for a subgraph that meets its request late.
    let directoryPause = 0;
    const directory: SubjectDirectory = {
      lookUp: async (ids) => {
        if (directoryPause) await sleep(directoryPause);
        return { ids: new Set(ids), codes: new Map(), kinds: new Map(ids.map((id) => [id, 'ENTERPRISE'])) };
      },
    };
    const definition = createRecordsSubgraph({ subjects: directory });
    const records = useSubgraph(definition, database, 'wdlrecords');
    const officer = officerOf('MARKET_REGULATION');
    const submit = recordsResolvers.Mutation as Record<'submitCreditRecord' | 'submitCreditRecords', (parent: unknown, args: unknown, ctx: unknown) => Promise<unknown>>;
    const request = (deadline?: RequestDeadline) => ({ ...contextOf(definition, records.db(), deadline), access: { ...accessOf(officer), deadline } });
    const row = (documentNumber: string) => ({ subjectId: enterprise.id, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate: addDays(today, -3), summary: '销售超过保质期的食品，罚款15000元' });
    const stored = (documentNumber: string) => records.db().getRepository(CreditRecord).countBy({ sourceDepartment: 'MARKET_REGULATION', documentNumber });

    it('stores no record a submission sends, one or a batch, once the request has too little time left', async () => {
      await expect(submit.submitCreditRecord(null, { input: row('北戴河市监罚〔2026〕901号') }, request(spent('records')))).rejects.toMatchObject(refusedInTime('records'));
      await expect(submit.submitCreditRecords(null, { rows: [row('北戴河市监罚〔2026〕902号'), row('北戴河市监罚〔2026〕903号')] }, request(spent('records')))).rejects.toMatchObject(refusedInTime('records'));
      expect(await stored('北戴河市监罚〔2026〕901号')).toBe(0);
      expect(await stored('北戴河市监罚〔2026〕902号')).toBe(0);
      // The same submission with time left is stored.
      await expect(submit.submitCreditRecord(null, { input: row('北戴河市监罚〔2026〕901号') }, request(new RequestDeadline(10_000, 'records')))).resolves.toMatchObject({ outcome: 'CREATED' });
      expect(await stored('北戴河市监罚〔2026〕901号')).toBe(1);
    });

    it('files no objection once the request has too little time left, and leaves its record as it was', async () => {
      await submit.submitCreditRecord(null, { input: row('北戴河市监罚〔2026〕904号') }, request());
      const record = await records.db().getRepository(CreditRecord).findOneByOrFail({ sourceDepartment: 'MARKET_REGULATION', documentNumber: '北戴河市监罚〔2026〕904号' });
      const objecting = { recordId: record.id, reason: '处罚决定已被复议机关撤销' };
      await expect(request(spent('records')).lifecycle.fileObjection(objecting, officer)).rejects.toMatchObject(refusedInTime('records'));
      expect(await records.db().getRepository(CreditRecordObjection).countBy({ recordId: record.id })).toBe(0);
      expect(await records.db().getRepository(CreditRecord).findOneByOrFail({ id: record.id })).toMatchObject({ status: record.status });
      await expect(request().lifecycle.fileObjection(objecting, officer)).resolves.toMatchObject({ recordId: record.id, status: 'SUBMITTED' });
    });

    // A process that meets its request late (stopped, paused by its collector, behind a queue of
    // large bodies) counts the header's budget from then: the caller's giving up, its connection
    // closed, is what tells it that the caller was told the call failed. Here the caller says it
    // waits 10 s but gives up after 300 ms, as the gateway does for a subgraph that met it 9.7 s late.
    it('stores nothing over HTTP once its caller has closed the connection, though the budget its header gave is not spent', async () => {
      const mutation = 'mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome } }';
      const sent = async (documentNumber: string, waitMs: number) =>
        await fetch(records.url(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [timeoutHeader]: '10000', ...(await signedBy(officer)) },
          body: JSON.stringify({ query: mutation, variables: { input: row(documentNumber) } }),
          signal: AbortSignal.timeout(waitMs),
        }).then((response) => response.json());
      directoryPause = 800;
      try {
        await expect(sent('北戴河市监罚〔2026〕905号', 300)).rejects.toMatchObject({ name: 'TimeoutError' });
        // The same request, its caller waiting, is stored: the pause alone refuses nothing.
        await expect(sent('北戴河市监罚〔2026〕906号', 5_000)).resolves.toMatchObject({ data: { submitCreditRecord: { outcome: 'CREATED' } } });
      } finally {
        directoryPause = 0;
      }
      expect(await stored('北戴河市监罚〔2026〕905号')).toBe(0);
      expect(await stored('北戴河市监罚〔2026〕906号')).toBe(1);
    });
  });

  describe('reports', () => {
    const reports = useSubgraph(reportsSubgraph, database, 'wdlreports');
    const subject = world.subjects[1];
    const registered = {
      id: 'report-deadline-1',
      subjectId: subject.id,
      source: 'LOCAL_CREDIT_WEBSITE',
      issuerName: '信用河北网站',
      reportNumber: 'XYHB-2026-090001',
      grade: 'A',
      issuedOn: addDays(today, -30),
      validUntil: addDays(today, 300),
      verificationCode: 'K7Q2M9TA',
      registeredAt: new Date(Date.now() - 60_000),
    } as Partial<CreditReport>;
    const creditOffice = { userId: 'supervisor-deadline', organisation: 'CREDIT_OFFICE' };

    beforeAll(async () => {
      await reports.db().getRepository(CreditReport).insert(registered);
    });

    it('records no finding on a report, nor withdraws its registration, once the request has too little time left', async () => {
      const late = contextOf(reportsSubgraph, reports.db(), spent('reports'));
      await expect(late.repository.recordVerification(registered.id!, 'NOT_GENUINE', '发证机构答复无此报告', creditOffice)).rejects.toMatchObject(refusedInTime('reports'));
      await expect(contextOf(reportsSubgraph, reports.db(), spent('reports')).repository.withdrawRegistration(registered.id!, '登记有误', creditOffice)).rejects.toMatchObject(refusedInTime('reports'));
      expect(await reports.db().getRepository(ReportVerification).countBy({ reportId: registered.id })).toBe(0);
      expect(await reports.db().getRepository(CreditReport).findOneByOrFail({ id: registered.id })).toMatchObject({ verificationOutcome: null, withdrawnAt: null });
      await expect(contextOf(reportsSubgraph, reports.db()).repository.recordVerification(registered.id!, 'GENUINE', '经发证机构核实', creditOffice)).resolves.toMatchObject({ verificationOutcome: 'GENUINE' });
    });

    it("seals no check's report requirement once the request has too little time left", async () => {
      const check = { id: 'check-deadline-1', subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', checkedAt: new Date().toISOString() };
      const requirement = { required: true, satisfied: false, goodGrade: false, reliedOn: null, considered: [] };
      await expect(contextOf(reportsSubgraph, reports.db(), spent('reports')).requirements.seal(check, requirement)).rejects.toMatchObject(refusedInTime('reports'));
      expect(await reports.db().getRepository(CheckReportRequirement).countBy({ checkId: check.id })).toBe(0);
      await expect(contextOf(reportsSubgraph, reports.db()).requirements.seal(check, requirement)).resolves.toEqual(requirement);
    });
  });

  describe('entities', () => {
    const entities = useSubgraph(entitiesSubgraph, database, 'wdlentities');
    const newcomer = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    const registration = { kind: 'ENTERPRISE' as const, name: newcomer.name, code: newcomer.identifier, registeredAddress: newcomer.registeredAddress, legalRepresentative: newcomer.legalRepresentative, registrationDate: newcomer.registrationDate ?? '2020-05-11' };
    const officer = { userId: 'window-deadline', organisation: 'CREDIT_OFFICE' };
    const consent = { subjectId: newcomer.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION' as const, purpose: 'FINANCIAL_SERVICES', validUntil: addDays(today, 30) };

    it('registers no subject, and grants or revokes no consent, once the request has too little time left', async () => {
      await expect(contextOf(entitiesSubgraph, entities.db(), spent('entities')).repository.register(registration)).rejects.toMatchObject(refusedInTime('entities'));
      expect(await entities.db().getRepository(Subject).countBy({ identifier: newcomer.identifier })).toBe(0);

      const subject = await contextOf(entitiesSubgraph, entities.db()).repository.register(registration);
      const given = { ...consent, subjectId: subject.id };
      await expect(contextOf(entitiesSubgraph, entities.db(), spent('entities')).consents.grant(given, officer)).rejects.toMatchObject(refusedInTime('entities'));
      expect(await entities.db().getRepository(Consent).countBy({ subjectId: subject.id })).toBe(0);

      const granted = await contextOf(entitiesSubgraph, entities.db()).consents.grant(given, officer);
      await expect(contextOf(entitiesSubgraph, entities.db(), spent('entities')).consents.revoke(granted.id, '客户撤回授权', officer)).rejects.toMatchObject(refusedInTime('entities'));
      expect(await entities.db().getRepository(Consent).findOneByOrFail({ id: granted.id })).toMatchObject({ revokedAt: null });
    });
  });

  describe('providers', () => {
    const providers = useSubgraph(providersSubgraph, database, 'wdlproviders');
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'DL000001' });
    const application = { unifiedSocialCreditCode: code, name: '时限测试信用服务有限公司', registeredAddress: '河北省秦皇岛市北戴河区时限路1号', legalRepresentative: '测试人', businessScope: '企业征信业务' };
    const applicant = { userId: `user-of-${code}`, organisation: code };

    it('files no application once the request has too little time left', async () => {
      await expect(contextOf(providersSubgraph, providers.db(), spent('providers')).repository.apply(application, applicant)).rejects.toMatchObject(refusedInTime('providers'));
      expect(await providers.db().getRepository(CreditServiceProvider).countBy({ unifiedSocialCreditCode: code })).toBe(0);
      await expect(contextOf(providersSubgraph, providers.db()).repository.apply(application, applicant)).resolves.toMatchObject({ filingStatus: 'APPLIED' });
    });
  });

  describe('audit', () => {
    const audit = useSubgraph(auditSubgraph, database, 'wdlaudit');
    const entry = (requestId: string, id?: string): AuditEntryInput => ({
      ...(id ? { id } : {}),
      actor: 'officer-deadline',
      organisation: 'FINANCE',
      organisationKind: 'DEPARTMENT',
      role: 'DEPARTMENT_OFFICER',
      matter: 'GOVERNMENT_PROCUREMENT',
      caseNumber: 'BDH-CG-2026-0901',
      subjectId: world.subjects[2].id,
      fieldGroups: ['SUBJECT_BASICS'],
      requestId,
      occurredAt: new Date(),
      outcome: 'DISCLOSED',
    });
    const logged = (requestId: string) => audit.db().getRepository(AuditEntry).countBy({ requestId });
    afterEach(() => jest.restoreAllMocks());

    it('appends nothing once the request has too little time left', async () => {
      await expect(contextOf(auditSubgraph, audit.db(), spent('audit')).repository.append([entry('deadline-spent')])).rejects.toMatchObject(refusedInTime('audit'));
      expect(await logged('deadline-spent')).toBe(0);
    });

    it('rolls back an append whose wait for the chain took the time, before it commits', async () => {
      const deadline = new RequestDeadline(1_000, 'audit');
      const { repository } = contextOf(auditSubgraph, audit.db(), deadline);
      // Named ids (as seeds name them) take the locked path: the head is read inside the transaction,
      // by the chain the repository appends through (audit-chain.ts).
      const chainHead = AuditChain.prototype.chainHead;
      jest.spyOn(AuditChain.prototype, 'chainHead').mockImplementation(async function (this: AuditChain, manager) {
        await sleep(deadline.left() - deadline.answerAllowanceMs + 20);
        return await chainHead.call(this, manager);
      });
      await expect(repository.append([entry('deadline-locked', '0190a1b2-0000-7000-8000-000000000901')])).rejects.toMatchObject(refusedInTime('audit'));
      expect(await logged('deadline-locked')).toBe(0);
    });

    describe("the gateway's appends", () => {
      const gatewayEntry = (requestId: string): GatewayAuditEntry => {
        const { fieldGroups, occurredAt, ...rest } = entry(requestId);
        return { ...rest, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0901', consentId: null, subjectId: world.subjects[2].id, fieldGroups: [...fieldGroups], operationName: null, occurredAt: occurredAt.toISOString(), outcome: 'DISCLOSED' };
      };

      it('say how long the gateway waits: its internal client’s timeout', async () => {
        const told = jest.spyOn(RequestDeadline, 'fromHeaders');
        // As the gateway builds its writer (gateway/gateway.ts).
        await new AuditWriter(new InternalClient(testSigningKey), audit.url()).write([gatewayEntry('deadline-told')]);
        expect(told.mock.calls.map(([headers]) => headers[timeoutHeader])).toEqual(['5000']);
        expect(await logged('deadline-told')).toBe(1);
      });

      it('are answered in time, and store nothing, when the append waited too long for its turn: the gateway then releases nothing', async () => {
        const client = new InternalClient(testSigningKey, 2_000);
        // One append first, so that this one takes the hot path (a single INSERT) as a busy log's do.
        await new AuditWriter(client, audit.url()).write([gatewayEntry('deadline-before-late')]);
        const met = jest.spyOn(RequestDeadline, 'fromHeaders');
        // The appends before it hold the log until its time is as good as spent. The wait is told to
        // the append's deadline, not slept out: a real wait to within its 200 ms allowance leaves the
        // refusal less than that to reach the gateway, which a loaded machine's pause can take.
        const earlier = inTurn(audit.db(), async () => {
          for (const until = Date.now() + 1_500; met.mock.results.length === 0 && Date.now() < until; ) await sleep(5);
          const deadline = met.mock.results[0]?.value as RequestDeadline | undefined;
          if (deadline) jest.spyOn(deadline, 'left').mockReturnValue(deadline.answerAllowanceMs - 1);
        });
        const started = Date.now();
        const written = new AuditWriter(client, audit.url()).write([gatewayEntry('deadline-late')]);
        // Refused by the audit subgraph, answered before the gateway gives up: an outage, not the entries' fault, so no request of it is answered.
        await expect(written).rejects.toBeInstanceOf(InternalCallRefused);
        await expect(written).rejects.toMatchObject({ codes: ['SUBGRAPH_UNAVAILABLE'] });
        expect(Date.now() - started).toBeLessThan(2_000);
        await earlier;
        expect(met).toHaveBeenCalledTimes(1);
        await sleep(200);
        expect(await logged('deadline-late')).toBe(0);
      });

      it('store nothing when the gateway gave up before the audit subgraph, stalled, read the append at all: its closing is read with the request', async () => {
        // A client in a process of its own sends the append and closes its end, while this
        // process (the audit subgraph's) is stalled, as a stopped or paused one is: once it runs
        // again, it reads the request and the closing together.
        const body = JSON.stringify({ query: 'mutation ($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }', variables: { entries: [gatewayEntry('deadline-stalled')] } });
        const identity = await signerFor(testSigningKey).sign({ caller: null, purpose: null, grants: ['AUDIT_WRITE'], scope: {} });
        const request = `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${timeoutHeader}: 10000\r\n${identityHeader}: ${identity}\r\n\r\n${body}`;
        const sent = path.join(os.tmpdir(), `stalled-append-${process.pid}-${Date.now()}`);
        const client = spawn(process.execPath, ['-e', `const s = require('net').connect(Number(process.argv[1]), '127.0.0.1', () => s.end(process.argv[2], () => require('fs').writeFileSync(process.argv[3], '')));\ns.on('error', () => process.exit(0)); s.on('close', () => process.exit(0)); s.resume();`, new URL(audit.url()).port, request, sent], { stdio: 'ignore' });
        try {
          // Stalled (bounded) until the client has sent it all and closed its end.
          for (const until = Date.now() + 10_000; !fs.existsSync(sent) && Date.now() < until; ) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          expect(fs.existsSync(sent)).toBe(true);
          await sleep(500);
          expect(await logged('deadline-stalled')).toBe(0);
        } finally {
          client.kill();
          fs.rmSync(sent, { force: true });
        }
      });

      it('store nothing once the gateway gave up on them, though the audit subgraph met the append too late to know it from the time', async () => {
        // The call says the gateway waits 10 s, and it gives up after 300 ms: what the gateway's
        // call looks like to an audit subgraph that took it up 9.7 s late (stopped, paused).
        const earlier = inTurn(audit.db(), () => sleep(800));
        const appended = fetch(audit.url(), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [timeoutHeader]: '10000',
            [identityHeader]: await signerFor(testSigningKey).sign({ caller: null, purpose: null, grants: ['AUDIT_WRITE'], scope: {} }),
          },
          body: JSON.stringify({ query: 'mutation ($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }', variables: { entries: [gatewayEntry('deadline-gave-up')] } }),
          signal: AbortSignal.timeout(300),
        });
        await expect(appended).rejects.toMatchObject({ name: 'TimeoutError' });
        await earlier;
        await sleep(200);
        expect(await logged('deadline-gave-up')).toBe(0);
      });
    });
  });
});
