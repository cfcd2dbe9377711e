import pino, { type DestinationStream, type Logger } from 'pino';
import type { readLogLevel } from './env';
import { maskCitizenIdNumber } from './identifiers';
import { currentRequest } from './request-record';

export type { Logger } from 'pino';

/** pino's levels, as `LOG_LEVEL` accepts them (lib/env.ts `readLogLevel`). */
export type LogLevel = ReturnType<typeof readLogLevel>;

/**
 * Personal data never reaches a log line, wherever it comes from (an error message, a caller's
 * organisation, which for a person acting for itself is its citizen ID number): every line is
 * masked as a whole before it is written.
 *  - citizen ID numbers (GB 11643: 17 digits and a check digit or X; the 15-digit first
 *    generation too), as a standalone token: masked like the API masks them, 4 + 4 characters;
 *  - mobile phone numbers (11 digits starting 13–19): the middle four masked.
 * Longer digit runs (timestamps, sequence numbers) are left alone: the rules need word boundaries.
 */
const citizenIdNumber = /(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])/g;
const mobileNumber = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/g;

export function maskPersonalData(text: string): string {
  return text.replace(citizenIdNumber, (id) => maskCitizenIdNumber(id.toUpperCase())).replace(mobileNumber, (n) => `${n.slice(0, 3)}****${n.slice(7)}`);
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
 * `level` as a word, ISO `time`, `msg`), the current request's id on every line written while
 * serving it, secrets redacted and personal data masked.
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
      mixin: () => {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
      hooks: { streamWrite: maskPersonalData },
    },
    // Synchronous: a fatal line written just before process.exit() must not be lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
