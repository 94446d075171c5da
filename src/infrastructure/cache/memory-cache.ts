import type { Cache } from './cache.js';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A Map bounded to `maxEntries` (oldest out first) whose entries expire. */
class ExpiringMap<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlSeconds: number): void {
    // Re-inserted keys move to the end, so "oldest" is the least recently written.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  deleteByPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

/** In-process cache (one instance, or no Redis configured), bounded to `maxEntries` (oldest out first). */
export class MemoryCache implements Cache {
  private readonly entries: ExpiringMap<unknown>;
  /** Plain keys by group, each group bounded on its own (generation stamps: one per user, per course). */
  private readonly plain = new Map<string, ExpiringMap<string>>();
  private readonly versions = new Map<string, number>();

  constructor(
    maxEntries = 10_000,
    private readonly now: () => number = Date.now,
    private readonly maxPlainEntriesPerGroup = 100_000,
  ) {
    this.entries = new ExpiringMap(maxEntries, now);
  }

  private fullKey(namespace: string, key: string): string {
    return `${namespace}:${this.versions.get(namespace) ?? 0}:${key}`;
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    return this.entries.get(this.fullKey(namespace, key)) as T | undefined;
  }

  async set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.entries.set(this.fullKey(namespace, key), value, ttlSeconds);
  }

  async invalidate(namespace: string): Promise<void> {
    this.versions.set(namespace, (this.versions.get(namespace) ?? 0) + 1);
    this.entries.deleteByPrefix(`${namespace}:`);
  }

  async getPlain(group: string, key: string): Promise<string | undefined> {
    return this.plain.get(group)?.get(key);
  }

  async setPlain(group: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    let entries = this.plain.get(group);
    if (entries === undefined) {
      entries = new ExpiringMap(this.maxPlainEntriesPerGroup, this.now);
      this.plain.set(group, entries);
    }
    entries.set(key, value, ttlSeconds);
  }
}
