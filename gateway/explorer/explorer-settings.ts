import { demoCallers, mintToken } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { exampleCallers, explorerExamples } from './examples';
import type { ExplorerSettings } from './settings';

export interface DemoTokenOptions {
  /** The embedded default's HS256 secret (`AUTH_JWT_SECRET`). */
  secret: Uint8Array;
  issuer?: string;
  audience?: string;
  /** The consent the demo bank reads under (the entities seed's). */
  consentId?: string;
}

/**
 * The examples and demo callers the explorer page gets. Without demo options (production) the
 * examples carry a placeholder code and no token is listed. With them (the embedded default,
 * `EXPLORER_DEMO_TOKENS=true`), each demo caller's token is minted afresh for every page load,
 * valid 12 hours, and the department example looks up the demo world's first organisation.
 * The demo world is prefix-stable (its first subjects are the same whatever its size), so a
 * small world names a subject every seeded world has.
 */
export function explorerSettingsProvider(demo?: DemoTokenOptions): () => Promise<Pick<ExplorerSettings, 'examples' | 'demoCallers'>> {
  if (!demo) return async () => ({ examples: explorerExamples(), demoCallers: null });
  const world = demoWorld({ subjects: 20 });
  const callers = demoCallers(world, demo.consentId);
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE');
  const subjectCode = enterprise?.identifier;
  return async () => ({
    examples: explorerExamples({ subjectCode, subjectId: enterprise?.id, callers: exampleCallers(callers) }),
    demoCallers: await Promise.all(
      callers.map(async (c) => ({ label: c.label, headers: c.headers, token: await mintToken(c.caller, demo.secret, { issuer: demo.issuer, audience: demo.audience }) })),
    ),
  });
}
