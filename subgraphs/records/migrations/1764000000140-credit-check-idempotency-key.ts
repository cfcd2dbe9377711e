import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// A retried runCreditCheck (a timed-out request, a double-clicked button) ran and counted a second
// check; the front end's key for the attempt makes the retry answer the first. Unique per officer
// (the department and the user who ran it): another officer's check is a check of its own, in the
// ledger under their name. NULLs, the checks run without a key, never collide on either database. Compared as
// bytes, as SQLite compares: under unicode_ci, MySQL would take key "ab" for "AB".
export class CreditCheckIdempotencyKey1764000000140 implements MigrationInterface {
  name = 'CreditCheckIdempotencyKey1764000000140';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('credit_check', new TableColumn({ name: 'idempotency_key', type: 'varchar', length: '64', isNullable: true }));
    await collateColumns(queryRunner, 'credit_check', [['idempotency_key', 'varchar(64)', 'NULL']], 'utf8mb4_bin');
    await queryRunner.createIndex('credit_check', new TableIndex({ name: 'UQ_credit_check_officer_idempotency_key', columnNames: ['department', 'checked_by', 'idempotency_key'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('credit_check', 'UQ_credit_check_officer_idempotency_key');
    await queryRunner.dropColumn('credit_check', 'idempotency_key');
  }
}
