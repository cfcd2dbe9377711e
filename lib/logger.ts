import pino, { type DestinationStream, type Logger } from 'pino';
import type { readLogLevel } from './env';
import { maskCitizenIdNumber } from './identifiers';
import { numberSeparator } from './text';

export type { Logger } from 'pino';

/** pino's levels, as `LOG_LEVEL` accepts them (lib/env.ts `readLogLevel`). */
export type LogLevel = ReturnType<typeof readLogLevel>;

/**
 * Personal data never reaches a log line, wherever it comes from (an error message, a caller's
 * organisation, which for a person acting for itself is its citizen ID number, a client's
 * `x-request-id` or operation name): every line is masked as a whole before it is written.
 *  - citizen ID numbers (GB 11643: 17 digits and a check digit or X; the 15-digit first
 *    generation too): masked like the API masks them, 4 + 4 characters;
 *  - mobile phone numbers (11 digits starting 13–19): the middle four masked.
 * A number counts wherever it stands, next to letters too (`ridA130304199001011234`, `query
 * Leak130304199001011234`): what a client writes around it changes nothing. Only a digit beside
 * it does: a run of digits is one number, and a longer run (a timestamp in nanoseconds, a sequence
 * number, a document number) is not an ID number or a phone number that happens to be inside it.
 */
const citizenIdNumber = /(?<!\d)(?:\d{17}[Xx]|(?:\d{18}|\d{15})(?!\d))/g;
const mobileNumber = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/**
 * Either written in groups, as people type and print them (`110105 19491231 002X`,
 * `138-1234-5678`): a run of digit groups one `numberSeparator` apart is one number, masked when
 * its digits are an ID number's or a mobile number's. Except what a dot joins otherwise: an IPv4
 * address (`192.168.10.100`, in a peer's or Redis's address) and a decimal number.
 */
const groupedNumber = new RegExp(`(?<!\\d)(?:\\d+${numberSeparator.source}){1,5}\\d+[Xx]?(?![\\dXx])`, 'g');
const addressOrDecimal = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\d+\.\d+)$/;
const everyNumberSeparator = new RegExp(numberSeparator.source, 'g');

const maskedMobileNumber = (n: string) => `${n.slice(0, 3)}****${n.slice(7)}`;

export function maskPersonalData(text: string): string {
  return text
    .replace(citizenIdNumber, (id) => maskCitizenIdNumber(id.toUpperCase()))
    .replace(mobileNumber, maskedMobileNumber)
    .replace(groupedNumber, (grouped) => {
      if (addressOrDecimal.test(grouped)) return grouped;
      const number = grouped.replace(everyNumberSeparator, '').toUpperCase();
      if (/^(?:\d{17}[\dX]|\d{15})$/.test(number)) return maskCitizenIdNumber(number);
      return /^1[3-9]\d{9}$/.test(number) ? maskedMobileNumber(number) : grouped;
    });
}

/**
 * A SHA-256 the platform logs (the revocation file's, README "Cutting a caller off") is compared
 * with `sha256sum`, so it is written whole: one hash in about a hundred holds a digit run the
 * masking above would take for an ID or mobile number. Only a `sha256` field of 64 hex digits, as
 * the serialised line has it: a client's text can write no such field, since its quotes reach the
 * line escaped, and a number written next to letters anywhere else is masked as before.
 */
const sha256Field = /("sha256":"[0-9a-f]{64}")/;

/** A serialised log line masked (`maskPersonalData`), its SHA-256 fields kept whole. */
export function maskLogLine(line: string): string {
  // split() with a capturing group: the fields kept are the odd parts.
  return line
    .split(sha256Field)
    .map((part, i) => (i % 2 ? part : maskPersonalData(part)))
    .join('');
}

/** Secrets by key, wherever they sit in a logged object: tokens, the signed identity, variables (they carry codes and names). */
const redactedPaths = [
  'authorization',
  'token',
  'variables',
  '*.authorization',
  '*.token',
  '*.variables',
  'headers["x-credit-identity"]',
  '*.headers["x-credit-identity"]',
  '*.headers.authorization',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * A process's logger: JSON lines (pino) on stdout, one field set for all services (`service`,
 * `level` as a word, ISO `time`, `msg`), secrets redacted and personal data masked. A line about
 * a request names it in `requestId`, given by whoever writes the line (request-record.ts says why
 * it is not found implicitly).
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
      redact: { paths: redactedPaths, censor: '[redacted]' },
      hooks: { streamWrite: maskLogLine },
    },
    // Synchronous: a fatal line written just before process.exit() must not be lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
