import path from 'node:path';
import { projectRoot } from '../../lib/project-root';
import { resultsFileFor } from '../../scripts/bench';

/**
 * bench/results.md is committed with the full benchmark's figures between its markers: a quick
 * run (a smaller data set, shorter runs) wrote its own over them, and a commit took them along.
 */
describe('where npm run bench writes its results', () => {
  const committed = path.join(projectRoot, 'bench', 'results.md');
  const aside = path.join(projectRoot, 'data', 'bench', 'results.md');

  it('is bench/results.md for the full benchmark, its settings as they are by default', () => {
    expect(resultsFileFor([])).toEqual({ file: committed, changed: [] });
    expect(resultsFileFor(['--subjects', '100000', '--port-base', '4500'])).toEqual({ file: committed, changed: [] });
  });

  it('is beside it, under the untracked data/, for a run at another size or with other settings', () => {
    expect(resultsFileFor(['--subjects', '300', '--import-rows', '2000'])).toEqual({ file: aside, changed: ['subjects', 'import-rows'] });
    expect(resultsFileFor(['--seconds=1'])).toEqual({ file: aside, changed: ['seconds'] });
  });

  it('is the file --results names, whatever the settings', () => {
    expect(resultsFileFor(['--subjects', '300', '--results', 'bench/results.md']).file).toBe(committed);
    expect(resultsFileFor(['--results', '/tmp/ab.md']).file).toBe('/tmp/ab.md');
  });
});
