import type { Redis } from 'ioredis';
import type { Cache } from './cache.js';

/** Beyond this many lost writes, the replay drops every plain key instead of each one. */
const MAX_UNSENT_KEYS = 10_000;

/**
 * Redis-backed cache shared by every API instance: an invalidation on one instance is seen by all
 * at once, because the namespace version lives in Redis. Any Redis failure reads as a miss.
 *
 * Writes that invalidate (a namespace version, a plain value such as a generation stamp) and fail
 * because this instance cannot reach Redis are not just dropped: the other instances would keep
 * serving what the write made stale until it expired. They are replayed as soon as the connection
 * is back ('ready'): the version is bumped, and the plain key is deleted rather than set to the lost
 * value. Deleting is the safe replay for generation stamps: a stamp set later by another instance
 * may be the one the lost value would overwrite, and a deleted stamp only causes misses.
 */
export class RedisCache implements Cache {
  /** Redis keys whose invalidating write was lost, with how to replay it. */
  private readonly unsent = new Map<string, 'incr' | 'delete'>();
  /** More writes were lost than `unsent` holds: the replay drops every plain key. */
  private unsentOverflow = false;
  private replaying = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lp:cache',
  ) {
    redis.on('ready', () => void this.replayUnsent());
  }

  private remember(key: string, replay: 'incr' | 'delete'): void {
    if (this.unsent.size >= MAX_UNSENT_KEYS && !this.unsent.has(key)) {
      this.unsentOverflow = true;
      this.unsent.clear();
    }
    if (!this.unsentOverflow) this.unsent.set(key, replay);
  }

  /** Replays the invalidations lost while Redis was unreachable; what fails again waits for the next 'ready'. */
  async replayUnsent(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      if (this.unsentOverflow) {
        for await (const keys of this.redis.scanStream({ match: `${this.prefix}:plain:*`, count: 1_000 })) {
          if ((keys as string[]).length > 0) await this.redis.unlink(...(keys as string[]));
        }
        this.unsentOverflow = false;
      }
      for (const [key, replay] of [...this.unsent]) {
        if (replay === 'incr') await this.redis.incr(key);
        else await this.redis.unlink(key);
        this.unsent.delete(key);
      }
    } catch {
      // Unreachable again: the rest stays queued.
    } finally {
      this.replaying = false;
    }
  }

  /** Invalidating writes lost while Redis was unreachable and not replayed yet. */
  get unsentCount(): number {
    return this.unsent.size + (this.unsentOverflow ? MAX_UNSENT_KEYS : 0);
  }

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
    const versionKey = this.versionKey(namespace);
    try {
      await this.redis.incr(versionKey);
      // Bumped since: the pending replay would only bump it again.
      this.unsent.delete(versionKey);
    } catch {
      // The write that called us has committed: a failure here is replayed once Redis is back.
      this.remember(versionKey, 'incr');
    }
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
    const plainKey = this.plainKey(group, key);
    try {
      await this.redis.set(plainKey, value, 'EX', ttlSeconds);
      // Set since: the pending delete would only drop this fresher value.
      this.unsent.delete(plainKey);
    } catch {
      // Fail open; the value still in Redis is stale, so it is deleted once Redis is back.
      this.remember(plainKey, 'delete');
    }
  }
}
