import { spawnSync } from 'node:child_process';
import { readFlag } from '../lib/env';
import { projectRoot } from '../lib/project-root';

/**
 * `npm run fuzz [-- --runs 5000 --seed 7 --database mysql --max-string 1000000 --shrink]`: the
 * fuzz test of test/hostile/fuzz.test.ts with more cases than CI runs (CI: 300 on SQLite, seed
 * 20260117). A failure prints the seed and path that replay it (`--seed n --path p`); `--shrink`
 * lets fast-check reduce the failing case first, which takes longer.
 */
function main(): number {
  const argv = process.argv.slice(2);
  const env: NodeJS.ProcessEnv = { ...process.env };
  const settings: [flag: string, variable: string][] = [
    ['runs', 'FUZZ_RUNS'],
    ['seed', 'FUZZ_SEED'],
    ['path', 'FUZZ_PATH'],
    ['database', 'FUZZ_DATABASE'],
    ['max-string', 'FUZZ_MAX_STRING'],
  ];
  for (const [flag, variable] of settings) {
    const value = readFlag(argv, flag);
    if (value !== undefined) env[variable] = value;
  }
  if (argv.includes('--shrink')) env.FUZZ_SHRINK = '1';
  const jest = require.resolve('jest/bin/jest', { paths: [projectRoot] });
  const result = spawnSync(process.execPath, [jest, '--runInBand', 'test/hostile/fuzz.test.ts'], { cwd: projectRoot, env, stdio: 'inherit' });
  return result.status ?? 1;
}

process.exit(main());
