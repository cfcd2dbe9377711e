/**
 * What the gateway tells the explorer page (`/explorer/settings.json`): where to send operations,
 * which headers carry the purpose, the matters to choose from, the saved examples and, in the
 * embedded default only, the demo callers' tokens. Shared by the page (client/explorer.tsx) and
 * the gateway (explorer-route.ts); types only, so the browser bundle pulls in no server code.
 */
export interface DemoCallerToken {
  label: string;
  token: string;
  /** The purpose headers this caller's typical request carries. */
  headers: Record<string, string>;
}

export interface ExplorerExample {
  /** The operation's name, unique among the examples. */
  name: string;
  title: string;
  /** The kind of user it is for, as the picker shows it. */
  audience: string;
  query: string;
  variables?: Record<string, unknown>;
  /**
   * Variables the page sets to a random UUID each time it opens the example (an idempotencyKey):
   * running the tab again (after Stop, a double-click, or as AUDIT_UNAVAILABLE advises) is the
   * same attempt, answered with what it first did, not a second one.
   */
  freshKeys?: string[];
  /** The purpose headers it is meant to be sent with. */
  purpose: { matter?: string; caseNumber?: string; consentId?: string };
  /** The demo caller (its label) that runs it in the embedded default. */
  demoCaller?: string;
}

export interface ExplorerSettings {
  /** Where operations go, relative to the page (`../graphql`), so under a proxy's path prefix too. */
  endpoint: string;
  purposeHeaders: { matter: string; caseNumber: string; consentId: string };
  matters: { code: string; name: string; nameZh: string }[];
  examples: ExplorerExample[];
  /** Only in the embedded default (`EXPLORER_DEMO_TOKENS=true`); never in production. */
  demoCallers: DemoCallerToken[] | null;
}
