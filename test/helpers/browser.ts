import type { LaunchOptions } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`, as .ci/run does), driven by playwright-core, never
 * a downloaded browser. Every host but 127.0.0.1 is unreachable for it (its resolver maps every
 * other name to nothing), so a page that needed a CDN would fail in a test.
 */
export const chromiumPath = '/usr/bin/chromium';

/** How long a browser test waits for anything the browser does. */
export const browserWaitMs = 30_000;

export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: chromiumPath,
  headless: true,
  timeout: browserWaitMs,
  // Root in CI has no user namespace for the sandbox; the browser only ever sees local pages.
  args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--no-proxy-server'],
};
