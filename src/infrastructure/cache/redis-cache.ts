import type { Redis } from 'ioredis';
import type { Cache } from './cache.js';

/**
 * Redis-backed cache shared by every API instance: an invalidation on one instance is seen by all
 * at once, because the namespace version lives in Redis. Any Redis failure reads as a miss.
 */
export class RedisCache implements Cache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lp:cache',
  ) {}

  private versionKey(namespace: string): string {
    return `${this.prefix}:${namespace}:version`;
  }

  private async fullKey(namespace: string, key: string): Promise<string> {
    const version = (await this.redis.get(this.versionKey(namespace))) ?? '0';
    return `${this.prefix}:${namespace}:${version}:${key}`;
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    try {
      const raw = await this.redis.get(await this.fullKey(namespace, key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch {
      return undefined;
    }
  }

  async set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(await this.fullKey(namespace, key), JSON.stringify(value), 'EX', ttlSeconds);
    } catch {
      // fail open: the next read recomputes
    }
  }

  async invalidate(namespace: string): Promise<void> {
    // If this fails the entries still expire after their TTL; the write that called us has committed.
    await this.redis.incr(this.versionKey(namespace)).catch(() => {});
  }

  private plainKey(group: string, key: string): string {
    return `${this.prefix}:plain:${group}:${key}`;
  }

  async getPlain(group: string, key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.plainKey(group, key))) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async setPlain(group: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(this.plainKey(group, key), value, 'EX', ttlSeconds);
    } catch {
      // fail open: a lost stamp only causes misses
    }
  }
}
