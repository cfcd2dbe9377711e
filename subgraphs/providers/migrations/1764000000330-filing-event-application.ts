import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

// What each application said (申请材料), kept on its APPLY or RESUBMIT event: a resubmission or a
// new application after rejection overwrites the provider's row, and with it what the rejected
// or returned application said. Events recorded before stay null: what they said is lost.
export class FilingEventApplication1764000000330 implements MigrationInterface {
  name = 'FilingEventApplication1764000000330';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('provider_filing_event', new TableColumn({ name: 'application', type: 'json', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('provider_filing_event', 'application');
  }
}
