import { statusMiB } from '../bench/processes';

/** One process of the platform under soak: its name, pid and GraphQL URL (its /metrics beside it). */
export interface SoakedProcess {
  name: string;
  pid: number;
  url: string;
}

export interface MemorySample {
  /** Resident set, from /proc, in MiB. */
  rss?: number;
  /** V8 heap in use, from its /metrics, in MiB (sampled, not after GC). */
  heap?: number;
}

/** A process's V8 heap in use, from the /metrics beside its GraphQL `url`, in MiB. */
export async function heapUsedMiB(url: string): Promise<number | undefined> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(10_000) })).text();
  const value = /^credit_nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
  return value ? Number(value) / 2 ** 20 : undefined;
}

/** Every process's memory now, by name; a value that could not be read is undefined. */
export async function sampleMemory(processes: SoakedProcess[]): Promise<Record<string, MemorySample>> {
  const samples = await Promise.all(
    processes.map(async (p): Promise<[string, MemorySample]> => [p.name, { rss: statusMiB(p.pid, 'VmRSS'), heap: await heapUsedMiB(p.url).catch(() => undefined) }]),
  );
  return Object.fromEntries(samples);
}

/**
 * Warning and error lines per process, from their JSON log lines (the soak runs them at
 * LOG_LEVEL=warn): a healthy soak logs none, and one per request shows as thousands. A line that
 * is not JSON (a crash's stack on stdout) counts as an error.
 */
export class LogLevelCounts {
  readonly counts: Record<string, { warn: number; error: number }> = {};

  line(name: string, line: string): void {
    if (!line.trim()) return;
    let level: unknown;
    try {
      level = (JSON.parse(line) as { level?: unknown }).level;
    } catch {
      level = 'error';
    }
    const counts = (this.counts[name] ??= { warn: 0, error: 0 });
    if (level === 'warn') counts.warn++;
    else if (level === 'error' || level === 'fatal') counts.error++;
  }
}
