import { AuditWriter } from '../../gateway/audit-writer';
import { GatewayMetrics } from '../../gateway/metrics';
import { InternalCallRefused, type InternalClient } from '../../lib/internal-client';
import type { Logger } from '../../lib/logger';
import { gatewayAuditEntry } from '../helpers/gateway-audit-entry';

describe("the gateway's log of a subgraph it cannot reach", () => {
  afterEach(() => jest.useRealTimers());

  it('says so at once, then at most once per ten seconds a subgraph and kind, counting the calls since the last line', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger;
    const metrics = new GatewayMetrics(logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      for (let i = 0; i < 500; i++) metrics.subgraphFetch('records', 0.001, 'unreachable');
      metrics.subgraphFetch('records', 10, 'timeout');
      metrics.subgraphFetch('reports', 0.01, 'ok');
      expect(lines).toEqual([
        { fields: { subgraph: 'records', outcome: 'unreachable', callsSinceLastLine: 1 }, message: 'calls to the records subgraph fail to reach it: its fields answer SUBGRAPH_UNAVAILABLE' },
        { fields: { subgraph: 'records', outcome: 'timeout', callsSinceLastLine: 1 }, message: 'calls to the records subgraph time out: its fields answer SUBGRAPH_UNAVAILABLE' },
      ]);
      jest.advanceTimersByTime(10_000);
      metrics.subgraphFetch('records', 0.001, 'unreachable');
      expect(lines.at(-1)?.fields).toEqual({ subgraph: 'records', outcome: 'unreachable', callsSinceLastLine: 500 });
      expect(lines).toHaveLength(3);
      // The line after the window told the count: no closing line follows.
      jest.advanceTimersByTime(60_000);
      expect(lines).toHaveLength(3);
    } finally {
      metrics.close();
    }
  });

  /**
   * A subgraph holding another GATEWAY_SIGNING_KEY (or a clock far from the gateway's) refuses
   * every call: each once logged an error line of Apollo's stack trace, 1.7 KB a subgraph call.
   * Logged as an outage is, an error (it will not pass by waiting) and without a stack.
   */
  it("logs a subgraph's refusal of the gateway's signed identity the same way, as an error naming the setting, without a stack", () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const line = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
    const logger = { warn: line('warn'), error: line('error') } as unknown as Logger;
    const metrics = new GatewayMetrics(logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      for (let i = 0; i < 40; i++) metrics.subgraphFetch('entities', 0.002, 'identity_refused');
      metrics.subgraphFetch('records', 0.002, 'identity_refused');
      const refused = (subgraph: string, calls: number) => ({
        level: 'error',
        fields: { subgraph, outcome: 'identity_refused', callsSinceLastLine: calls },
        message: `the ${subgraph} subgraph refuses the gateway's signed identity, so its fields answer SUBGRAPH_UNAVAILABLE: check that both hold the same GATEWAY_SIGNING_KEY and that their clocks agree`,
      });
      expect(lines).toEqual([refused('entities', 1), refused('records', 1)]);
      jest.advanceTimersByTime(10_000);
      metrics.subgraphFetch('entities', 0.002, 'identity_refused');
      expect(lines).toEqual([refused('entities', 1), refused('records', 1), refused('entities', 40)]);
    } finally {
      metrics.close();
    }
  });

  /**
   * A subgraph of another release refuses every call the gateway plans with a field it lacks: a
   * line per call, or none (the probe), would hide the one thing to do about it. A warning, with
   * what the subgraph said, at most once per window a subgraph.
   */
  it('logs a subgraph that cannot read the calls planned for it (another release) as a warning with what it said, once per window', () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const line = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
    const metrics = new GatewayMetrics({ warn: line('warn'), error: line('error') } as unknown as Logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      const cause = 'Cannot query field "classDSince" on type "ReportIssuerStanding".';
      for (let i = 0; i < 25; i++) metrics.subgraphFetch('providers', 0.003, 'schema_mismatch', cause);
      const mismatch = (calls: number) => ({
        level: 'warn',
        fields: { subgraph: 'providers', outcome: 'schema_mismatch', cause, callsSinceLastLine: calls },
        message: "the providers subgraph refuses the gateway's calls as invalid GraphQL, so its fields answer SUBGRAPH_UNAVAILABLE: its schema differs from the gateway's supergraph; upgrade the subgraphs first, then the gateways (README, Upgrading)",
      });
      expect(lines).toEqual([mismatch(1)]);
      jest.advanceTimersByTime(10_000);
      metrics.subgraphFetch('providers', 0.003, 'schema_mismatch', cause);
      expect(lines).toEqual([mismatch(1), mismatch(25)]);
    } finally {
      metrics.close();
    }
  });

  /**
   * A subgraph URL the subgraph serves no GraphQL at (/graphql/ with a trailing slash, a proxy's
   * page) is answered 404 or HTML on every call: each once logged an error with an 11-line stack
   * and no address. Logged as an outage, an error, with the address and what it answered.
   */
  it('logs a subgraph that answers something that is not GraphQL as an error naming the address and status, once per window', () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const line = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
    const metrics = new GatewayMetrics({ warn: line('warn'), error: line('error') } as unknown as Logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      const cause = 'http://127.0.0.1:4001/graphql/ answered 404: Not Found';
      for (let i = 0; i < 30; i++) metrics.subgraphFetch('entities', 0.002, 'bad_response', cause);
      const bad = (calls: number) => ({
        level: 'error',
        fields: { subgraph: 'entities', outcome: 'bad_response', cause, callsSinceLastLine: calls },
        message: "the entities subgraph answers something that is not a GraphQL response, so its fields answer SUBGRAPH_UNAVAILABLE: check that its address (SUBGRAPH_ENTITIES_URL, or the supergraph's) is the subgraph's GraphQL endpoint and that it is this platform's",
      });
      expect(lines).toEqual([bad(1)]);
      jest.advanceTimersByTime(10_000);
      metrics.subgraphFetch('entities', 0.002, 'bad_response', cause);
      expect(lines).toEqual([bad(1), bad(30)]);
    } finally {
      metrics.close();
    }
  });

  /**
   * The audit subgraph refusing a department's entries (it runs another release's catalogue) and
   * the audit subgraph that cannot be reached shared one window: whichever came first was the
   * only line, and the other was counted into it unnamed (from the code-review probe).
   */
  it("logs the audit log's causes apart: a catalogue mismatch and an audit subgraph it cannot reach each have their line and count", () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const metrics = new GatewayMetrics({ error: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z') });
      const mismatch = new InternalCallRefused('http://127.0.0.1:4005/graphql answered 200: the department "D99" is not in this audit subgraph\'s department catalogue', ['BAD_USER_INPUT'], 200, [
        { message: 'the department "D99" is not in this audit subgraph\'s department catalogue', extensions: { code: 'BAD_USER_INPUT', reason: 'CATALOGUE_MISMATCH', department: 'D99' } },
      ]);
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4005'), { code: 'ECONNREFUSED' });
      metrics.auditUnavailable(mismatch, 'r-mismatch');
      for (let i = 0; i < 50; i++) metrics.auditUnavailable(refused, `r-refused-${i}`);
      expect(lines.map((l) => [l.fields.err, l.fields.requestId, l.fields.callsSinceLastLine])).toEqual([
        [mismatch, 'r-mismatch', 1],
        [refused, 'r-refused-0', 1],
      ]);
      jest.advanceTimersByTime(10_000);
      // The other way round: the outage first does not hide the mismatch.
      metrics.auditUnavailable(refused, 'r-refused-50');
      metrics.auditUnavailable(mismatch, 'r-mismatch-2');
      expect(lines.slice(2).map((l) => [l.fields.err, l.fields.requestId, l.fields.callsSinceLastLine])).toEqual([
        [refused, 'r-refused-50', 50],
        [mismatch, 'r-mismatch-2', 1],
      ]);
    } finally {
      metrics.close();
    }
  });

  it('tells the calls counted in a window no later line told when it ends, unless the metrics are closed first; holds no timer while none is counted', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const metrics = new GatewayMetrics({ warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z') });
      const before = jest.getTimerCount();
      metrics.subgraphFetch('records', 0.001, 'unreachable');
      expect(jest.getTimerCount()).toBe(before);
      for (let i = 0; i < 20; i++) metrics.subgraphFetch('records', 0.001, 'unreachable');
      jest.advanceTimersByTime(60_000);
      expect(lines.map((l) => l.fields)).toEqual([
        { subgraph: 'records', outcome: 'unreachable', callsSinceLastLine: 1 },
        { subgraph: 'records', outcome: 'unreachable', callsSinceLastLine: 20, windowEnded: true },
      ]);
      expect(jest.getTimerCount()).toBe(before);
      metrics.subgraphFetch('entities', 0.001, 'timeout');
      metrics.subgraphFetch('entities', 0.001, 'timeout');
      metrics.close();
      jest.advanceTimersByTime(60_000);
      expect(lines).toHaveLength(3);
    } finally {
      metrics.close();
    }
  });

  /**
   * The gateway's own audit queue full (its writes refused at once, the audit subgraph slow) and
   * the audit subgraph that cannot be reached shared one window: the writer's plain Error read as
   * unreachable, so whichever came first hid the other (from the code-review probe).
   */
  it("logs the audit log behind (the gateway's queue full) apart from an audit subgraph it cannot reach", async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const metrics = new GatewayMetrics({ error: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger);
    try {
      // An audit subgraph that never answers, one entry in flight and one waiting: the next is refused.
      const writer = new AuditWriter({ call: () => new Promise(() => undefined) } as unknown as InternalClient, 'http://audit', 1, undefined, 1);
      void writer.write([gatewayAuditEntry('r-in-flight')]);
      void writer.write([gatewayAuditEntry('r-waiting')]);
      const behind: unknown = await writer.write([gatewayAuditEntry('r-behind')]).catch((error: unknown) => error);
      expect(String(behind)).toMatch(/the audit log is behind/);
      jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z') });
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4005'), { code: 'ECONNREFUSED' });
      metrics.auditUnavailable(behind, 'r-behind');
      for (let i = 0; i < 50; i++) metrics.auditUnavailable(refused, `r-refused-${i}`);
      expect(lines.map((l) => [l.fields.err, l.fields.requestId, l.fields.callsSinceLastLine])).toEqual([
        [behind, 'r-behind', 1],
        [refused, 'r-refused-0', 1],
      ]);
    } finally {
      metrics.close();
    }
  });

  it("logs the identity provider's key set it cannot read so too, with its address (no password) and why", () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger;
    const metrics = new GatewayMetrics(logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      const keySet = 'https://gateway:S3cret@idp.corp-internal.invalid:8443/keys/jwks.json';
      for (let i = 0; i < 300; i++) metrics.keySetUnavailable(keySet, new Error('getaddrinfo ENOTFOUND idp.corp-internal.invalid'));
      const message = "the identity provider's key set could not be read: requests with a token answer AUTHENTICATION_UNAVAILABLE";
      const fields = { keySet: 'https://…@idp.corp-internal.invalid:8443/keys/jwks.json', cause: 'getaddrinfo ENOTFOUND idp.corp-internal.invalid' };
      expect(lines).toEqual([{ fields: { ...fields, callsSinceLastLine: 1 }, message }]);
      jest.advanceTimersByTime(10_000);
      metrics.keySetUnavailable(keySet, new Error('getaddrinfo ENOTFOUND idp.corp-internal.invalid'));
      expect(lines).toEqual([{ fields: { ...fields, callsSinceLastLine: 1 }, message }, { fields: { ...fields, callsSinceLastLine: 300 }, message }]);
      // A credential in its query is left out too (from the security probe: ?client_secret=… was logged).
      lines.length = 0;
      jest.advanceTimersByTime(10_000);
      metrics.keySetUnavailable('https://idp.example.invalid/certs?access_token=TOKEN-XYZ#frag', new Error('getaddrinfo ENOTFOUND idp.example.invalid'));
      expect(lines.map((l) => l.fields.keySet)).toEqual(['https://idp.example.invalid/certs?…']);
    } finally {
      metrics.close();
    }
  });
});
