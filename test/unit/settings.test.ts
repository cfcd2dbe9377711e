import fs from 'node:fs';
import path from 'node:path';
import { readGatewayConfig } from '../../gateway/config';
import { projectRoot } from '../../lib/project-root';
import { platformSettings, settingPrefixes, settingsReadBy, type SettingReader } from '../../lib/settings';
import { subgraphNames, subgraphUrlVariable } from '../../schema/subgraphs';
import { readRecordsPeers } from '../../subgraphs/records/config';
import { readReportsPeers } from '../../subgraphs/reports/config';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';

const secret = 'a-secret-of-at-least-thirty-two-bytes!!';

/** The names `read` asks `env` for (read as a proxy that notes each), whether or not it refuses what it gets. */
function namesRead(read: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv): string[] {
  const asked = new Set<string>();
  const noted = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') asked.add(name);
      return Reflect.get(target, name);
    },
  });
  try {
    read(noted);
  } catch {
    // Refused or not, the names it asked for are the ones it reads.
  }
  return [...asked];
}

/** What each server's readers ask for, over environments that take each way through them (each kind of token key; SQLite or MySQL). */
function readByServer(reader: SettingReader): string[] {
  const envs: NodeJS.ProcessEnv[] =
    reader === 'gateway'
      ? [{ GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret }, { GATEWAY_SIGNING_KEY: secret, AUTH_PUBLIC_KEY_FILE: '/nowhere.pem' }]
      : [{ GATEWAY_SIGNING_KEY: secret }, { GATEWAY_SIGNING_KEY: secret, DATABASE_URL: 'mysql://credit:pw@db:3306' }];
  const reads: ((env: NodeJS.ProcessEnv) => unknown)[] =
    reader === 'gateway'
      ? [(env) => readGatewayConfig(env, [])]
      : [
          (env) => readSubgraphConfig(reader === 'subgraphs' ? 'audit' : reader, env, []),
          ...(reader === 'records' ? [readRecordsPeers] : []),
          ...(reader === 'reports' ? [readReportsPeers] : []),
        ];
  return [...new Set(envs.flatMap((env) => reads.flatMap((read) => namesRead(read, env))))];
}

describe('the list of settings (lib/settings.ts)', () => {
  it.each<SettingReader>(['gateway', 'subgraphs', ...subgraphNames])('holds exactly what the %s reader reads', (reader) => {
    expect(readByServer(reader).sort()).toEqual(settingsReadBy(reader).sort());
  });

  it('is the README Configuration table, less the tests’ own variables', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const named = rows
      .filter((row) => row.split('|')[2].trim() !== 'tests')
      .flatMap((row) => {
        const names = [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((name) => !name.startsWith('--'));
        // `GATEWAY_MAX_DEPTH`, `_ALIASES`, …: each suffix after the first name's stem.
        const stem = names[0].slice(0, names[0].lastIndexOf('_'));
        return names.flatMap((name) => (name === 'SUBGRAPH_<NAME>_URL' ? subgraphNames.map(subgraphUrlVariable) : name.startsWith('_') ? [`${stem}${name}`] : [name]));
      });
    expect(named.sort()).toEqual(Object.keys(platformSettings).sort());
  });

  it('gives each prefix warned under a setting that begins with it', () => {
    for (const prefix of settingPrefixes) expect({ prefix, settings: Object.keys(platformSettings).some((s) => s.startsWith(prefix)) }).toEqual({ prefix, settings: true });
  });
});
