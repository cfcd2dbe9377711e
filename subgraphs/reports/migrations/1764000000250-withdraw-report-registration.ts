import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// A registration made by mistake (wrong subject, grade, number or dates) is withdrawn (撤销登记),
// never deleted: who withdrew it, when and why stay on its row. The unique index over issuer and
// number gains `in_force` (1 while the registration stands, NULL once withdrawn), so that the
// corrected report can be registered under the number the mistake held: NULLs never collide in a
// unique index on either database, as in the records subgraph's idempotency keys. Every report
// stored so far stands. Table API, so that one migration serves SQLite and MySQL.
export class WithdrawReportRegistration1764000000250 implements MigrationInterface {
  name = 'WithdrawReportRegistration1764000000250';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('credit_report', [
      new TableColumn({ name: 'in_force', type: 'boolean', isNullable: true, default: 1 }),
      new TableColumn({ name: 'withdrawn_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'withdrawn_by', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'withdrawn_by_organisation', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'withdrawal_reason', type: 'text', isNullable: true }),
    ]);
    await queryRunner.query('UPDATE credit_report SET in_force = 1');
    await queryRunner.dropIndex('credit_report', 'UQ_credit_report_issuer_number');
    await queryRunner.createIndex('credit_report', new TableIndex({ name: 'UQ_credit_report_issuer_number_in_force', columnNames: ['issuer_name', 'report_number', 'in_force'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Fails while a withdrawn registration shares its issuer and number with a standing one: both
    // are kept, and the old index could hold only one of them.
    await queryRunner.dropIndex('credit_report', 'UQ_credit_report_issuer_number_in_force');
    await queryRunner.createIndex('credit_report', new TableIndex({ name: 'UQ_credit_report_issuer_number', columnNames: ['issuer_name', 'report_number'], isUnique: true }));
    for (const column of ['withdrawal_reason', 'withdrawn_by_organisation', 'withdrawn_by', 'withdrawn_at', 'in_force']) {
      await queryRunner.dropColumn('credit_report', column);
    }
  }
}
