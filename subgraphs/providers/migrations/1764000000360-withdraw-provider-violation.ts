import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

// A violation recorded in error (the wrong provider, a mistyped date) is withdrawn (撤销违规记录),
// never deleted: who withdrew it, when and why stay on its row, in the provider's supervision
// file. Every violation recorded so far stands (NULL). Table API, so that one migration serves
// SQLite and MySQL.
export class WithdrawProviderViolation1764000000360 implements MigrationInterface {
  name = 'WithdrawProviderViolation1764000000360';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('provider_violation', [
      new TableColumn({ name: 'withdrawn_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'withdrawn_by', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'withdrawn_by_organisation', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'withdrawal_reason', type: 'text', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['withdrawal_reason', 'withdrawn_by_organisation', 'withdrawn_by', 'withdrawn_at']) await queryRunner.dropColumn('provider_violation', column);
  }
}
