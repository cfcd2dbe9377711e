import { format } from 'node:util';
import { maskPersonalData } from './logger';

/**
 * What a command (`npm start`, `npm run seed`, `import`, …) prints for its user, on stdout (`log`)
 * or stderr (`error`), as console.log and console.error print the same arguments, but masked as a
 * log line is (maskPersonalData): a terminal's or a CI job's log keeps what it is shown, and an
 * ID number or a mobile number reaches it from an error's message or stack, a database's words,
 * or a row of an import (its values quoted in a rejection, or read as a header's column names).
 */
export const maskedConsole = {
  log: (...args: unknown[]): void => console.log(maskPersonalData(format(...args))),
  error: (...args: unknown[]): void => console.error(maskPersonalData(format(...args))),
};
