import type { Cache } from '../../infrastructure/cache/cache.js';
import { createGenerations } from '../../infrastructure/cache/generations.js';
import { LocalCache } from '../../infrastructure/cache/local-cache.js';
import { type Representation, representationOf } from '../../shared/representation.js';

/**
 * A cached response, ready to send: the serialised body (as produced by the route's response
 * schema), its compressed copies once asked for, and its strong ETag, so that a hit needs neither
 * the database, nor serialising, nor compressing, nor hashing.
 */
export type CachedResponse = Representation;

/** What the shared cache holds (JSON-encodable for Redis): the payload, and when and under which generation it was made. */
interface StoredEntry<T> {
  value: T;
  generation: string;
  expiresAt: number;
}

interface StoredResponse {
  payload: string;
  etag: string;
}

const LIST_NAMESPACE = 'catalog:list';
const LIST_GENERATION_KEY = 'list';
const detailNamespace = (courseId: string) => `catalog:course:${courseId}`;
const detailGenerationKey = (courseId: string) => `course:${courseId}`;

/**
 * This process's copies (see LocalCache: served only under the current generation, read from the
 * shared cache on every request). 24 MB holds about 1,800 list pages of 20 courses; the shared
 * cache keeps the rest.
 */
const LOCAL_PAGE_LIMITS = { maxEntries: 5_000, maxBytes: 24 * 1024 * 1024 };
const LOCAL_DETAIL_LIMITS = { maxEntries: 5_000, maxBytes: 24 * 1024 * 1024 };
const LOCAL_SLUG_LIMITS = { maxEntries: 20_000, maxBytes: 4 * 1024 * 1024 };

/** The response for a serialised body: its bytes and their ETag. */
export const cachedResponse: (payload: string) => CachedResponse = representationOf;

/**
 * The public catalog's cache (list pages, and per course its public and full detail views), shared
 * by the catalog routes (which read and fill it) and the subscribers of the events that change what
 * the catalog shows (src/subscribers.ts), which call `courseChanged` once the write has committed
 * (called earlier, a reader in between would refill the cache with the data the write is replacing).
 *
 * What must reach `courseChanged(courseId)`, after commit:
 * - `course.changed` from course authoring: create, edit, publish, unpublish, archive, delete a
 *   course; any change to its modules or lessons (the outline, lesson counts and durations are part
 *   of the list and detail);
 * - enrollment code (future): whenever `courses.enrollment_count` changes (enrol, drop, refund),
 *   since list items and details show the count. If that event is skipped or fails, the damage is
 *   bounded: counts and the `popular` order are stale for at most `cacheTtlSeconds` (default 60 s),
 *   which a popularity ranking tolerates. Access decisions never come from the cache (enrollment
 *   checks are read from the database on every request), so a new enrollment grants access at once;
 * - `user.renamed`, when an instructor's name changes: for each of their courses (instructor-renames.ts).
 *
 * Race protection: a reader that loaded data from the database just before a write committed must not
 * store that stale data after the writer's invalidation. Each entry records the generation current
 * when its reader *started* (read before querying the database); `courseChanged` replaces the
 * generation, so an entry computed under an older generation is ignored on read (generations.ts).
 * Namespace invalidation additionally drops the stale entries themselves.
 *
 * Two levels: the shared cache (Redis when configured) holds every entry; each process also keeps
 * the bytes of the entries it served. A hit reads only the generation from the shared cache (one
 * round trip with Redis) and then sends this process's copy, if it carries that generation.
 */
export interface CatalogCache {
  /** Current generation of the list namespace; read it BEFORE querying the database. */
  listGeneration(): Promise<string>;
  getList(key: string): Promise<CachedResponse | undefined>;
  setList(key: string, generation: string, response: CachedResponse): Promise<void>;
  /**
   * Slug → course id, stored under the list generation (any course change may change a slug, and
   * every change bumps the list generation).
   */
  getCourseIdBySlug(slug: string): Promise<string | undefined>;
  setCourseIdBySlug(slug: string, generation: string, courseId: string): Promise<void>;
  /** Current generation of one course's detail; read it BEFORE querying the database. */
  detailGeneration(courseId: string): Promise<string>;
  getDetail(courseId: string, viewKind: string): Promise<CachedResponse | undefined>;
  setDetail(courseId: string, viewKind: string, generation: string, response: CachedResponse): Promise<void>;
  /** Invalidates every list page and this course's cached detail. Call after the write has committed. */
  courseChanged(courseId: string): Promise<void>;
}

export function createCatalogCache(cache: Cache, ttlSeconds: number): CatalogCache {
  const generations = createGenerations(cache, 'catalog:generation');
  // Keyed without building strings where possible: a hit is a handful of map lookups.
  const pages = new LocalCache<CachedResponse>(LOCAL_PAGE_LIMITS);
  const details = new LocalCache<CachedResponse>(LOCAL_DETAIL_LIMITS);
  const slugs = new LocalCache<string>(LOCAL_SLUG_LIMITS);

  /** Where one kind of entry lives: this process's copies, and its place in the shared cache. */
  interface Place<V> {
    local: LocalCache<V>;
    localKey: string;
    namespace: string;
    key: string;
    generationKey: string;
  }

  /**
   * The value if it was stored under the current generation and has not expired: this process's
   * copy when it has one, else the shared cache's (then copied here).
   */
  async function read<T, V>(
    place: Place<V>,
    decode: (stored: T) => V,
    bytesOf: (value: V) => number,
  ): Promise<V | undefined> {
    const generation = await generations.current(place.generationKey);
    if (generation === undefined) return undefined;
    const copy = place.local.get(place.localKey, generation);
    if (copy !== undefined) return copy;
    const stored = await cache.get<StoredEntry<T>>(place.namespace, place.key);
    if (stored === undefined || stored.generation !== generation || stored.expiresAt <= Date.now()) {
      return undefined;
    }
    const value = decode(stored.value);
    place.local.set(place.localKey, value, generation, stored.expiresAt, bytesOf(value));
    return value;
  }

  async function write<T, V>(place: Place<V>, generation: string, stored: T, value: V, bytes: number) {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const entry: StoredEntry<T> = { value: stored, generation, expiresAt };
    await cache.set(place.namespace, place.key, entry, ttlSeconds);
    place.local.set(place.localKey, value, generation, expiresAt, bytes);
  }

  const pagePlace = (key: string): Place<CachedResponse> => ({
    local: pages,
    localKey: key,
    namespace: LIST_NAMESPACE,
    key: `page:${key}`,
    generationKey: LIST_GENERATION_KEY,
  });
  const slugPlace = (slug: string): Place<string> => ({
    local: slugs,
    localKey: slug,
    namespace: LIST_NAMESPACE,
    key: `slug:${slug}`,
    generationKey: LIST_GENERATION_KEY,
  });
  const detailPlace = (courseId: string, viewKind: string): Place<CachedResponse> => ({
    local: details,
    localKey: `${courseId}:${viewKind}`,
    namespace: detailNamespace(courseId),
    key: viewKind,
    generationKey: detailGenerationKey(courseId),
  });

  const decodeResponse = (stored: StoredResponse): CachedResponse => ({
    payload: Buffer.from(stored.payload),
    compressed: new Map(),
    etag: stored.etag,
  });
  const encodeResponse = (response: CachedResponse): StoredResponse => ({
    payload: response.payload.toString(),
    etag: response.etag,
  });
  const responseBytes = (response: CachedResponse) => response.payload.length;
  const slugBytes = (courseId: string) => courseId.length;
  const asIs = (courseId: string) => courseId;

  return {
    listGeneration: () => generations.begin(LIST_GENERATION_KEY),

    getList: (key) => read(pagePlace(key), decodeResponse, responseBytes),

    setList: (key, generation, response) =>
      write(pagePlace(key), generation, encodeResponse(response), response, responseBytes(response)),

    getCourseIdBySlug: (slug) => read(slugPlace(slug), asIs, slugBytes),

    setCourseIdBySlug: (slug, generation, courseId) =>
      write(slugPlace(slug), generation, courseId, courseId, slugBytes(courseId)),

    detailGeneration: (courseId) => generations.begin(detailGenerationKey(courseId)),

    getDetail: (courseId, viewKind) => read(detailPlace(courseId, viewKind), decodeResponse, responseBytes),

    setDetail: (courseId, viewKind, generation, response) =>
      write(
        detailPlace(courseId, viewKind),
        generation,
        encodeResponse(response),
        response,
        responseBytes(response),
      ),

    async courseChanged(courseId) {
      await Promise.all([
        generations.bump(LIST_GENERATION_KEY),
        generations.bump(detailGenerationKey(courseId)),
        cache.invalidate(LIST_NAMESPACE),
        cache.invalidate(detailNamespace(courseId)),
      ]);
    },
  };
}
