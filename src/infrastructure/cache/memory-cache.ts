import type { Cache } from './cache.js';

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** In-process cache (one instance, or no Redis configured), bounded to `maxEntries` (oldest out first). */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private fullKey(namespace: string, key: string): string {
    return `${namespace}:${this.versions.get(namespace) ?? 0}:${key}`;
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    const fullKey = this.fullKey(namespace, key);
    const entry = this.entries.get(fullKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(fullKey);
      return undefined;
    }
    return entry.value as T;
  }

  async set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(this.fullKey(namespace, key), { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async invalidate(namespace: string): Promise<void> {
    this.versions.set(namespace, (this.versions.get(namespace) ?? 0) + 1);
    const prefix = `${namespace}:`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
