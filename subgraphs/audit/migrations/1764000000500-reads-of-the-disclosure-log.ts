import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addReadsOfTheLog, auditAloneExpression, dropReadsOfTheLog } from './1764000000490-index-audit-entry-reads-of-the-log';

// A page of a subject's 查询记录 (`Subject.disclosures`, field group DISCLOSURE_LOG) read by the
// credit office is a read of the audit log, as a page of `auditEntriesBySubject` (AUDIT) is: it
// counted as a read of the subjects' credit data (`auditReads: false`), and, listed in the very
// list it read, grew that list's totalCount by one with each page. An entry is now a read of the
// log when it disclosed the log and nothing else: its field groups AUDIT, DISCLOSURE_LOG or both
// (the gateway writes them sorted; the other order is read alike, whoever wrote it).
//
// `audit_read` is computed by the database, so every entry already in the log is classed anew by
// the new expression, none rewritten (the hash chain hashes the columns it is computed from). The
// reads of the disclosure log recorded before this version recorded SUBJECT_BASICS with it (the
// `subject(id:)` lookup on the way, which now records nothing by itself), as a read of the name
// alongside does: such an entry stays a read of credit data, as it cannot be told apart.
//
// A generated column's expression is changed by dropping and adding it: SQLite changes none in
// place, and MySQL and MariaDB rebuild the indexes on it either way. Virtual, it is added without
// copying the table; the three indexes are made again from the entries (1764000000490 says why
// each).
export const logAloneExpression = "outcome = 'DISCLOSED' AND field_groups IN ('AUDIT', 'DISCLOSURE_LOG', 'AUDIT,DISCLOSURE_LOG', 'DISCLOSURE_LOG,AUDIT')";

export class ReadsOfTheDisclosureLog1764000000500 implements MigrationInterface {
  name = 'ReadsOfTheDisclosureLog1764000000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await dropReadsOfTheLog(queryRunner);
    await addReadsOfTheLog(queryRunner, logAloneExpression);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropReadsOfTheLog(queryRunner);
    await addReadsOfTheLog(queryRunner, auditAloneExpression);
  }
}
