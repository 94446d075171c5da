interface LocalEntry<V> {
  value: V;
  generation: string;
  expiresAt: number;
  bytes: number;
}

/**
 * This process's copies of cached values (ready-to-send response bytes, decoded records), each
 * stamped with the generation it was computed under (see generations.ts). A copy is returned only
 * when the caller presents the same, freshly read, current generation and it has not expired, so
 * serving from here is exactly as fresh as serving from the shared cache, without a round trip for
 * the value or decoding it. Bounded by entry count and by bytes; the oldest entries go first.
 */
export class LocalCache<V> {
  private readonly entries = new Map<string, LocalEntry<V>>();
  private totalBytes = 0;

  constructor(
    private readonly limits: { maxEntries: number; maxBytes: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** The value stored under `key` if it was stamped with `generation` and has not expired. */
  get(key: string, generation: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.generation !== generation || entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, generation: string, expiresAt: number, bytes = 0): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    if (bytes > this.limits.maxBytes) return;
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.limits.maxEntries || this.totalBytes + bytes > this.limits.maxBytes)
    ) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, LocalEntry<V>];
      this.remove(oldestKey, oldest);
    }
    this.entries.set(key, { value, generation, expiresAt, bytes });
    this.totalBytes += bytes;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.remove(key, entry);
  }

  private remove(key: string, entry: LocalEntry<V>): void {
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
