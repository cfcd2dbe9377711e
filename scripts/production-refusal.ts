import { ConfigError, isProduction, readNodeEnvironment } from '../lib/env';

/**
 * The commands that write made-up data (the demo world, a benchmark's data set) into the database
 * DATABASE_URL names, or make development secrets and demo tokens, refuse NODE_ENV=production
 * before they touch either: `npm start`, `npm run tokens`, `seed`, `bench`, `bench:import`, `soak`.
 * Whether to refuse, and if so the one line on stderr saying what the command does and what
 * production does instead (or, for a NODE_ENV that is none of production, development, test or
 * unset, what it may be); the caller exits 2, as for a configuration error: the same settings
 * will never be accepted.
 */
export function refusedInProduction(env: NodeJS.ProcessEnv, command: string, does: string, instead: string): boolean {
  try {
    readNodeEnvironment(env);
  } catch (error) {
    // `prod`, `Production`: not run, as neither production nor the development it would run as is meant.
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[${command}] configuration error: ${error.message}`);
    return true;
  }
  if (!isProduction(env)) return false;
  console.error(`[${command}] ${does} and refuses NODE_ENV=production: ${instead} (README: Running in production).`);
  return true;
}
