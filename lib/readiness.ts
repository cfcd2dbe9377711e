import type http from 'node:http';
import { catalogueFingerprint } from './catalogue/fingerprint';
import { pathOf, sendJson, type ExtraRoute } from './http-server';

/** One dependency's state, as `/ready` reports it. */
export interface DependencyState {
  ok: boolean;
  /** Why not, when not: safe to show (no secrets, no personal data). */
  detail?: string;
  /**
   * Not ok, and yet the server serves without it, its answers saying what is missing: reported,
   * and the server still ready (`status: "degraded"`, 200).
   */
  degraded?: true;
}

export type ReadinessCheck = () => Promise<Record<string, DependencyState>>;

/** Rejects after `ms`: a probe that hangs is a failed probe. */
export async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /ready`: 200 `{ status: "ready", checks }` when every dependency is ok, 200
 * `{ status: "degraded", checks }` when those that are not are ones it serves without
 * (`degraded`), 503 `{ status: "not ready", checks }` when another is not, or while the server is
 * stopping (so that a load balancer stops sending traffic before the process goes). `/health` (liveness) is answered
 * by the HTTP server itself and never looks at dependencies. Each answer names the catalogue the
 * process was built with (`catalogueFingerprint`), which the gateway compares with its subgraphs'
 * (gateway/readiness.ts).
 */
export function readinessRoute(check: ReadinessCheck, stopping: () => boolean): ExtraRoute {
  // Probes arriving while a check runs share it: a flood of anonymous /ready requests costs the
  // dependencies one round of probes at a time, not one each.
  let running: ReturnType<ReadinessCheck> | null = null;
  const shared: ReadinessCheck = () => (running ??= check().finally(() => (running = null)));
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (pathOf(req) !== '/ready') return false;
    if (stopping()) {
      sendJson(res, 503, { status: 'not ready', catalogueFingerprint, checks: { server: { ok: false, detail: 'shutting down' } } });
      return true;
    }
    let checks: Record<string, DependencyState>;
    try {
      checks = await shared();
    } catch (error) {
      checks = { readiness: { ok: false, detail: (error as Error).message } };
    }
    const states = Object.values(checks);
    const status = states.every((c) => c.ok) ? 'ready' : states.every((c) => c.ok || c.degraded) ? 'degraded' : 'not ready';
    sendJson(res, status === 'not ready' ? 503 : 200, { status, catalogueFingerprint, checks });
    return true;
  };
}
