import { ProviderFilingEvent } from '../../../subgraphs/providers/entities/provider-filing-event.entity';
import { ProviderViolation } from '../../../subgraphs/providers/entities/provider-violation.entity';
import { EvidenceAsJson1764000000320 } from '../../../subgraphs/providers/migrations/1764000000320-evidence-as-json';
import { FilingEventApplication1764000000330 } from '../../../subgraphs/providers/migrations/1764000000330-filing-event-application';
import { WithdrawProviderViolation1764000000360 } from '../../../subgraphs/providers/migrations/1764000000360-withdraw-provider-violation';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';

describe.each(testDatabases)('providers migrations on $label', (database) => {
  const suite = 'providermigrations';
  afterAll(() => database.cleanUp(suite));

  it('keep each violation’s evidence as its column becomes JSON, and leave the applications recorded before without what they said', async () => {
    await database.cleanUp(suite);
    const added: Function[] = [EvidenceAsJson1764000000320, FilingEventApplication1764000000330];
    // The schema as it was before: every migration but these (the entities only map rows).
    const before = { entities: providersSubgraph.entities, migrations: providersSubgraph.migrations.filter((m) => !added.includes(m)) };
    const db = await openDatabase('providers', database.target(suite), before);
    try {
      const evidence = ['核查笔录〔2026〕3号', 'sha256:abc', '引号"与\\反斜杠'];
      await db.query(
        'INSERT INTO provider_violation (id, provider_id, kind, description, evidence, occurred_on, recorded_by, recorded_by_organisation, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ['violation-1', 'provider-1', 'OTHER', '未按期报送', JSON.stringify(evidence), '2026-10-01', 'registrar', 'CREDIT_OFFICE', '2026-10-02 03:04:05.678'],
      );
      await db.query(
        'INSERT INTO provider_filing_event (id, provider_id, action, from_status, to_status, reason, actor, actor_organisation, sanction_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ['event-1', 'provider-1', 'APPLY', null, 'APPLIED', 'application for filing', 'applicant', '91130304MA0000000X', null, '2026-09-01 03:04:05.678'],
      );
      const runner = db.createQueryRunner();
      try {
        await new EvidenceAsJson1764000000320().up(runner);
        await new FilingEventApplication1764000000330().up(runner);
      } finally {
        await runner.release();
      }
      expect(await db.getRepository(ProviderViolation).findOneBy({ id: 'violation-1' })).toMatchObject({ evidence, description: '未按期报送', occurredOn: '2026-10-01' });
      expect(await db.getRepository(ProviderFilingEvent).findOneBy({ id: 'event-1' })).toMatchObject({ action: 'APPLY', application: null });
    } finally {
      await db.destroy();
    }
  });

  it('let every violation recorded before withdrawals were kept stand', async () => {
    await database.cleanUp(suite);
    const before = { entities: providersSubgraph.entities, migrations: providersSubgraph.migrations.filter((m) => m !== WithdrawProviderViolation1764000000360) };
    const db = await openDatabase('providers', database.target(suite), before);
    try {
      await db.query(
        'INSERT INTO provider_violation (id, provider_id, kind, description, evidence, occurred_on, recorded_by, recorded_by_organisation, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ['violation-1', 'provider-1', 'FALSE_INFORMATION', '出具虚假信用报告', JSON.stringify(['核查笔录〔2026〕3号']), '2026-10-01', 'registrar', 'CREDIT_OFFICE', '2026-10-02 03:04:05.678'],
      );
      const runner = db.createQueryRunner();
      try {
        await new WithdrawProviderViolation1764000000360().up(runner);
      } finally {
        await runner.release();
      }
      expect(await db.getRepository(ProviderViolation).findOneBy({ id: 'violation-1' })).toMatchObject({ occurredOn: '2026-10-01', withdrawnAt: null, withdrawnBy: null, withdrawnByOrganisation: null, withdrawalReason: null });
    } finally {
      await db.destroy();
    }
  });
});
