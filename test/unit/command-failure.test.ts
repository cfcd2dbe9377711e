import { ConfigError } from '../../lib/env';
import { exitWithFailure } from '../../lib/start-failure';
import { exitWithSeedFailure, SeedFailure } from '../../scripts/seed';

/**
 * A command's failure (`npm run import`, seed, bench, soak, tokens; npm start's launcher) goes to
 * stderr, a terminal's or a CI job's log, where an ID number or a mobile number in an error's
 * message (a row of an import) reached it whole, while every service line is masked (from the
 * code-review probe). Told as before, masked as a log line is.
 */
describe("a command's failure on stderr", () => {
  let printed: string[];
  let exit: jest.SpyInstance;
  beforeEach(() => {
    printed = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' ')));
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
  });
  afterEach(() => jest.restoreAllMocks());

  it('masks an ID number and a mobile number in an unexpected error, its message and stack, and exits 1', () => {
    const error = new Error('row 3: subject 11010519491231002X (mobile 13812345678) could not be stored');
    exitWithFailure('import')(error);
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^\[import\] failed: Error: row 3: subject 1101\*+002X \(mobile 138\*{4}5678\) could not be stored\n\s+at /);
    expect(printed[0]).not.toMatch(/11010519491231002X|13812345678/);
  });

  it('masks the one line of a failure understood, and keeps its exit code', () => {
    exitWithFailure('seed')(new ConfigError('SEED_SUBJECT is 11010519491231002X, which is no code'));
    expect(exit).toHaveBeenCalledWith(2);
    expect(printed).toEqual(['[seed] configuration error: SEED_SUBJECT is 1101**********002X, which is no code']);
  });

  it("masks a seed's failure, told in its one line from the database's words, and exits 1", () => {
    exitWithSeedFailure('seed')(new SeedFailure('entities', new Error('CHECK constraint failed: subject 11010519491231002X, contact 13812345678')));
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed).toEqual(['[seed] could not write the demo world into the entities database: CHECK constraint failed: subject 1101**********002X, contact 138****5678']);
  });
});
