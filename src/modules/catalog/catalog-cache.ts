import { randomUUID } from 'node:crypto';
import type { Cache } from '../../infrastructure/cache/cache.js';

/** A cached response: the JSON body and its strong ETag (so a hit needs neither the database nor hashing). */
export interface CachedResponse<T> {
  body: T;
  etag: string;
}

/** What is stored: the response plus the generation its reader started under (see CatalogCache). */
interface StoredEntry<T> extends CachedResponse<T> {
  generation: string;
}

const LIST_NAMESPACE = 'catalog:list';
const GENERATION_NAMESPACE = 'catalog:generation';
const LIST_GENERATION_KEY = 'list';
const detailNamespace = (courseId: string) => `catalog:course:${courseId}`;
const detailGenerationKey = (courseId: string) => `course:${courseId}`;
// Generations must outlive every entry written under them; a lost generation only causes misses.
const GENERATION_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The public catalog's cache (list pages, and per course its public and full detail views), shared
 * by the catalog routes (which read and fill it) and every writer that changes what the catalog
 * shows (which calls `courseChanged` once its transaction has committed: called earlier, a reader in
 * between would refill the cache with the data the write is replacing).
 *
 * Who must call `courseChanged(courseId)`, after commit:
 * - course authoring: create, edit, publish, unpublish, archive, delete a course; any change to its
 *   modules or lessons (the outline, lesson counts and durations are part of the list and detail);
 * - enrollment code (future): whenever `courses.enrollment_count` changes (enrol, drop, refund),
 *   since list items and details show the count. If that call is skipped or fails, the damage is
 *   bounded: counts and the `popular` order are stale for at most `cacheTtlSeconds` (default 60 s),
 *   which a popularity ranking tolerates. Access decisions never come from the cache (enrollment
 *   checks are read from the database on every request), so a new enrollment grants access at once;
 * - user profile code when an instructor's name changes: call it for each of their courses.
 *
 * Race protection: a reader that loaded data from the database just before a write committed must not
 * store that stale data after the writer's invalidation. Each entry records the generation current
 * when its reader *started* (read before querying the database); `courseChanged` replaces the
 * generation, so an entry computed under an older generation is ignored on read. Namespace
 * invalidation additionally drops the stale entries themselves.
 */
export interface CatalogCache {
  /** Current generation of the list namespace; read it BEFORE querying the database. */
  listGeneration(): Promise<string>;
  getList<T>(key: string): Promise<CachedResponse<T> | undefined>;
  setList<T>(key: string, generation: string, response: CachedResponse<T>): Promise<void>;
  /**
   * Slug → course id, stored under the list generation (any course change may change a slug, and
   * every change bumps the list generation).
   */
  getCourseIdBySlug(slug: string): Promise<string | undefined>;
  setCourseIdBySlug(slug: string, generation: string, courseId: string): Promise<void>;
  /** Current generation of one course's detail; read it BEFORE querying the database. */
  detailGeneration(courseId: string): Promise<string>;
  getDetail<T>(courseId: string, viewKind: string): Promise<CachedResponse<T> | undefined>;
  setDetail<T>(
    courseId: string,
    viewKind: string,
    generation: string,
    response: CachedResponse<T>,
  ): Promise<void>;
  /** Invalidates every list page and this course's cached detail. Call after the write has committed. */
  courseChanged(courseId: string): Promise<void>;
}

export function createCatalogCache(cache: Cache, ttlSeconds: number): CatalogCache {
  async function currentGeneration(key: string): Promise<string> {
    const existing = await cache.get<string>(GENERATION_NAMESPACE, key);
    if (existing !== undefined) return existing;
    // Missing (first use, expired or evicted): start a new one, which invalidates anything stored
    // under whatever generation was lost.
    const fresh = randomUUID();
    await cache.set(GENERATION_NAMESPACE, key, fresh, GENERATION_TTL_SECONDS);
    return fresh;
  }

  async function read<T>(namespace: string, key: string, generationKey: string) {
    const [entry, generation] = await Promise.all([
      cache.get<StoredEntry<T>>(namespace, key),
      cache.get<string>(GENERATION_NAMESPACE, generationKey),
    ]);
    if (entry === undefined || generation === undefined || entry.generation !== generation) return undefined;
    return entry;
  }

  return {
    listGeneration: () => currentGeneration(LIST_GENERATION_KEY),

    async getList<T>(key: string) {
      const entry = await read<T>(LIST_NAMESPACE, `page:${key}`, LIST_GENERATION_KEY);
      return entry && { body: entry.body, etag: entry.etag };
    },

    async setList<T>(key: string, generation: string, response: CachedResponse<T>) {
      await cache.set(LIST_NAMESPACE, `page:${key}`, { ...response, generation }, ttlSeconds);
    },

    async getCourseIdBySlug(slug: string) {
      const entry = await read<string>(LIST_NAMESPACE, `slug:${slug}`, LIST_GENERATION_KEY);
      return entry?.body;
    },

    async setCourseIdBySlug(slug: string, generation: string, courseId: string) {
      const entry: StoredEntry<string> = { body: courseId, etag: '', generation };
      await cache.set(LIST_NAMESPACE, `slug:${slug}`, entry, ttlSeconds);
    },

    detailGeneration: (courseId: string) => currentGeneration(detailGenerationKey(courseId)),

    async getDetail<T>(courseId: string, viewKind: string) {
      const entry = await read<T>(detailNamespace(courseId), viewKind, detailGenerationKey(courseId));
      return entry && { body: entry.body, etag: entry.etag };
    },

    async setDetail<T>(courseId: string, viewKind: string, generation: string, response: CachedResponse<T>) {
      await cache.set(detailNamespace(courseId), viewKind, { ...response, generation }, ttlSeconds);
    },

    async courseChanged(courseId: string) {
      await Promise.all([
        cache.set(GENERATION_NAMESPACE, LIST_GENERATION_KEY, randomUUID(), GENERATION_TTL_SECONDS),
        cache.set(GENERATION_NAMESPACE, detailGenerationKey(courseId), randomUUID(), GENERATION_TTL_SECONDS),
        cache.invalidate(LIST_NAMESPACE),
        cache.invalidate(detailNamespace(courseId)),
      ]);
    },
  };
}
