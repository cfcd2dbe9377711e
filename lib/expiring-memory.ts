/**
 * What was worked out once and holds until a given instant: a verified token, a signed identity.
 * A bounded number of entries, the oldest forgotten first, so that a flood of distinct keys costs
 * memory only up to `size`. An entry past its instant is never returned.
 */
export class ExpiringMemory<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly size: number) {}

  get(key: string, now = Date.now()): V | undefined {
    const known = this.entries.get(key);
    if (!known) return undefined;
    if (now < known.until) return known.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, until: number): void {
    this.entries.delete(key);
    while (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /**
   * The value remembered under `key`, or else `make()`'s, remembered until `until`. A promise that
   * fails is forgotten, so that the next ask tries again rather than being answered the failure.
   */
  remember(key: string, make: () => V, until: number, now = Date.now()): V {
    const known = this.get(key, now);
    if (known !== undefined) return known;
    const value = make();
    this.set(key, value, until);
    if (value instanceof Promise) value.catch(() => this.delete(key));
    return value;
  }
}
