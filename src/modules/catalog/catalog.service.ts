/**
 * The public catalog: reads only. The catalog module writes no table; what it caches is invalidated
 * by its subscribers to `course.changed` and `user.renamed` (src/subscribers.ts).
 */
import { Type } from 'typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { cursorDecoder, isRealInstant, timestampIdCursorFields, toPage } from '../../shared/keyset.js';
import { SLUG_PATTERN } from '../../shared/slug.js';
import { UUID_PATTERN, UUID_REGEX } from '../../shared/uuid.js';
import {
  type CatalogCursor,
  type CatalogFilters,
  type CatalogSort,
  type CourseAccessFacts,
  type CourseListRow,
  type CourseWithInstructor,
  type OutlineLessonRow,
  selectCourseAccess,
  selectCourseId,
  selectCoursePage,
  selectCourseWithInstructor,
  selectLesson,
  selectOutline,
} from './catalog.queries.js';
import type {
  CatalogCourse,
  CatalogLesson,
  CatalogPage,
  CourseDetail,
  ListCoursesQuery,
} from './catalog.schemas.js';
import { type CachedResponse, type CatalogCache, cachedResponse } from './catalog-cache.js';
import { isSearchQueryError, normaliseSearchText, searchTooComplex } from './search-text.js';

/**
 * Who may see what (issue: drafts do not leak; archived courses stay with their students):
 * - published: everyone sees the outline; lesson bodies only preview lessons, unless `full`;
 * - draft: only its instructor and admins (everyone else: 404, not 403);
 * - archived: its instructor, admins, and users holding an enrollment that grants access; else 404.
 * `full` (every lesson body) is for the instructor, admins and enrolled users.
 */
type CourseView = 'full' | 'public';

/**
 * `public` responses are the same for every caller (anonymous views, the catalog list) and may be
 * stored by shared caches; `private` ones were computed for a signed-in caller.
 */
export type CacheScope = 'public' | 'private';

export interface CatalogResponse extends CachedResponse {
  scope: CacheScope;
}

/**
 * The route's serializer (its response schema, which drops any field the schema does not list):
 * bodies are serialised once, when computed, and cached and sent as those bytes.
 */
export type Serialize<T> = (body: T) => string;

const SLUG_REGEX = new RegExp(SLUG_PATTERN);

const cursorId = Type.String({ pattern: UUID_PATTERN });
const strict = { additionalProperties: false } as const;
const decodeCursor = cursorDecoder(
  Type.Union([
    Type.Object({ s: Type.Literal('newest'), ...timestampIdCursorFields }, strict),
    Type.Object(
      // A NUL character would make PostgreSQL fail the query instead of answering 400.
      { s: Type.Literal('title'), t: Type.String({ maxLength: 2000, pattern: '^[^\\x00]*$' }), id: cursorId },
      strict,
    ),
    Type.Object(
      { s: Type.Literal('popular'), n: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }), id: cursorId },
      strict,
    ),
    Type.Object(
      { s: Type.Literal('relevance'), r: Type.Number({ minimum: 0, maximum: 3.4e38 }), id: cursorId },
      strict,
    ),
  ]),
);

function invalidCursor(detail: string): AppError {
  return new AppError('bad_request', detail, {
    errors: [{ field: '/querystring/cursor', message: 'is not a cursor this endpoint issued' }],
  });
}

/** The cursor, checked against the sort it is used with (a cursor is only valid for its own sort). */
function cursorFor(cursor: string | undefined, sort: CatalogSort): CatalogCursor | undefined {
  const decoded = decodeCursor(cursor) as CatalogCursor | undefined;
  if (decoded === undefined) return undefined;
  if (decoded.s !== sort) {
    throw invalidCursor(
      `This cursor belongs to the "${decoded.s}" sort, not "${sort}"; start again without one.`,
    );
  }
  if (decoded.s === 'newest' && !isRealInstant(decoded.p)) {
    throw invalidCursor('The cursor is not valid; start again without one.');
  }
  return decoded;
}

interface ListRequest {
  filters: CatalogFilters;
  sort: CatalogSort;
  limit: number;
  cursor: string | undefined;
}

/** Applies defaults and the rules that involve several parameters; lists every bad field. */
function normaliseListQuery(query: ListCoursesQuery): ListRequest {
  const q = query.q === undefined ? undefined : normaliseSearchText(query.q);
  const sort: CatalogSort = query.sort ?? (q === undefined ? 'newest' : 'relevance');
  const errors: FieldError[] = [];
  if (sort === 'relevance' && q === undefined) {
    errors.push({ field: '/querystring/sort', message: 'relevance needs a search query (q)' });
  }
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    errors.push({ field: '/querystring/minPrice', message: 'must not be greater than maxPrice' });
    errors.push({ field: '/querystring/maxPrice', message: 'must not be less than minPrice' });
  }
  if (query.free === true && query.minPrice !== undefined && query.minPrice > 0) {
    errors.push({ field: '/querystring/minPrice', message: 'must be 0 or absent with free=true' });
  }
  if (query.free === false && query.maxPrice === 0) {
    errors.push({ field: '/querystring/maxPrice', message: 'must be above 0 or absent with free=false' });
  }
  if (errors.length > 0) {
    throw new AppError(
      'validation_failed',
      `${errors.length === 1 ? 'One field is' : `${errors.length} fields are`} not valid.`,
      { errors },
    );
  }
  return {
    filters: {
      q,
      difficulty: query.difficulty,
      category: query.category?.trim(),
      // Tags are stored lower-case and trimmed.
      tag: query.tag?.trim().toLowerCase(),
      instructorId: query.instructorId?.toLowerCase(),
      free: query.free,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      currency: query.currency,
    },
    sort,
    limit: query.limit,
    cursor: query.cursor,
  };
}

/** A free-text value in a cache key: JSON-quoted, so separators inside it cannot shift the fields. */
const quoted = (value: string | undefined) => (value === undefined ? '' : JSON.stringify(value));

/**
 * One cache key per distinct request after normalisation (parameter order and defaults do not
 * matter). Free text is quoted; every other field is an enum, number, boolean, UUID, currency code
 * or cursor, none of which contains `|`.
 */
function listCacheKey({ filters, sort, limit, cursor }: ListRequest): string {
  return `${sort}|${limit}|${cursor ?? ''}|${quoted(filters.q)}|${filters.difficulty ?? ''}|${quoted(filters.category)}|${quoted(filters.tag)}|${filters.instructorId ?? ''}|${filters.free ?? ''}|${filters.minPrice ?? ''}|${filters.maxPrice ?? ''}|${filters.currency ?? ''}`;
}

function cursorOf(sort: CatalogSort, row: CourseListRow): CatalogCursor {
  switch (sort) {
    case 'newest':
      return { s: 'newest', p: row.published_at_key, id: row.id };
    case 'title':
      return { s: 'title', t: row.title, id: row.id };
    case 'popular':
      return { s: 'popular', n: row.enrollment_count, id: row.id };
    case 'relevance':
      return { s: 'relevance', r: row.rank ?? 0, id: row.id };
  }
}

function toCatalogCourse(row: CourseListRow): CatalogCourse {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    difficulty: row.difficulty,
    priceCents: row.price_cents,
    currency: row.currency,
    isFree: row.price_cents === 0,
    category: row.category,
    tags: row.tags,
    language: row.language,
    thumbnailUrl: row.thumbnail_url,
    publishedAt: new Date(row.published_at_key).toISOString(),
    enrollmentCount: row.enrollment_count,
    instructor: { id: row.instructor_id, name: row.instructor_name },
    lessonCount: row.lesson_count,
    totalDurationSeconds: Number(row.total_duration_seconds),
  };
}

const isAuthorOf = (access: CourseAccessFacts, actor: Actor | null): boolean =>
  actor !== null && (isAdmin(actor) || actor.id === access.instructorId);

function viewOf(access: CourseAccessFacts, actor: Actor | null): CourseView | undefined {
  if (isAuthorOf(access, actor)) return 'full';
  if (access.status === 'draft') return undefined;
  if (access.enrolled) return 'full';
  return access.status === 'published' ? 'public' : undefined;
}

function toCourseDetail(
  course: CourseWithInstructor,
  outline: Awaited<ReturnType<typeof selectOutline>>,
  view: CourseView,
): CourseDetail {
  const lessonsByModule = new Map<string, OutlineLessonRow[]>();
  let totalDurationSeconds = 0;
  for (const lesson of outline.lessonRows) {
    totalDurationSeconds += lesson.durationSeconds;
    const moduleLessons = lessonsByModule.get(lesson.moduleId);
    if (moduleLessons) moduleLessons.push(lesson);
    else lessonsByModule.set(lesson.moduleId, [lesson]);
  }
  return {
    id: course.id,
    slug: course.slug,
    title: course.title,
    subtitle: course.subtitle,
    difficulty: course.difficulty,
    priceCents: course.priceCents,
    currency: course.currency,
    isFree: course.priceCents === 0,
    category: course.category,
    tags: course.tags,
    language: course.language,
    thumbnailUrl: course.thumbnailUrl,
    publishedAt: course.publishedAt?.toISOString() ?? null,
    enrollmentCount: course.enrollmentCount,
    instructor: { id: course.instructorId, name: course.instructorName },
    lessonCount: outline.lessonRows.length,
    totalDurationSeconds,
    description: course.description,
    status: course.status,
    archivedAt: course.archivedAt?.toISOString() ?? null,
    contentAccess: view === 'full' ? 'full' : 'preview',
    modules: outline.moduleRows.map((module) => ({
      id: module.id,
      title: module.title,
      description: module.description,
      position: module.position,
      lessons: (lessonsByModule.get(module.id) ?? []).map((lesson) => ({
        id: lesson.id,
        title: lesson.title,
        type: lesson.type,
        position: lesson.position,
        durationSeconds: lesson.durationSeconds,
        isPreview: lesson.isPreview,
        ...(view === 'full' || lesson.isPreview
          ? { content: lesson.content ?? {}, videoUrl: lesson.videoUrl }
          : {}),
      })),
    })),
  };
}

const courseNotFound = () => new AppError('not_found', 'No such course.');
/**
 * A signed-in caller without an enrollment that grants access: 403 `not_enrolled`, as the progress
 * routes answer, saying why (never enrolled, dropped, expired) so a client can offer the way back.
 */
function notEnrolled(courseId: string, enrollmentStatus: EnrollmentStatus | null): AppError {
  const detail =
    enrollmentStatus === 'expired'
      ? 'Your access to this course has expired.'
      : enrollmentStatus === 'dropped'
        ? 'You dropped this course: enroll again to access this lesson.'
        : 'You need to enroll to access this lesson.';
  return new AppError('not_enrolled', detail, { courseId, enrollmentStatus });
}

/** `idOrSlug` as a reference: a UUID is tried as an id first, then (if it also looks like one) as a slug. */
interface CourseRef {
  id?: string;
  slug?: string;
}

function parseCourseRef(idOrSlug: string): CourseRef | undefined {
  const isId = UUID_REGEX.test(idOrSlug);
  const isSlug = SLUG_REGEX.test(idOrSlug);
  if (!isId && !isSlug) return undefined;
  return { ...(isId ? { id: idOrSlug.toLowerCase() } : {}), ...(isSlug ? { slug: idOrSlug } : {}) };
}

/**
 * The learner side of lesson access, provided by the progress module (which depends on courses, so
 * the catalog cannot import it): what the locking rule of sequential courses leaves open to a learner.
 */
export interface LearnerAccess {
  /** For a learner with an enrollment that grants access: open, or locked (the 403 to send). */
  lessonAccess(
    userId: string,
    courseId: string,
    lessonId: string,
  ): Promise<{ kind: 'open' } | { kind: 'not_enrolled' } | { kind: 'locked'; error: AppError }>;
  /** Whether some module of the course is locked for the user's enrollment. */
  hasLockedModules(userId: string, courseId: string): Promise<boolean>;
}

export interface CatalogServiceDeps {
  db: Database;
  cache: CatalogCache;
  learnerAccess: LearnerAccess;
}

export function createCatalogService({ db, cache, learnerAccess }: CatalogServiceDeps) {
  const scopeFor = (actor: Actor | null): CacheScope => (actor === null ? 'public' : 'private');

  /**
   * The full view through an enrollment shows every lesson body; in a sequential course whose modules
   * are not all unlocked for the learner it would show the locked ones too, so that learner gets the
   * public view (preview bodies), and the lesson read and their course view (`/me/courses/:id`) give
   * the rest as it unlocks.
   */
  async function learnerLocked(access: CourseAccessFacts, actor: Actor, courseId: string) {
    // Authors see every body, also when they hold an enrollment of their own.
    if (isAuthorOf(access, actor)) return false;
    // A speed-up (hasLockedModules is false without an active enrollment or in a non-sequential course, and an
    // active one past its expiry gets no full view to lock); its forced-false mutant survives, left unmarked
    // because a marker would also hide the forced-true one, which would unlock every learner.
    // Stryker disable next-line LogicalOperator: equivalent, see above
    if (!access.enrolled || !access.sequentialModules) return false;
    return learnerAccess.hasLockedModules(actor.id, courseId);
  }

  function viewFor(access: CourseAccessFacts, actor: Actor | null, locked: boolean): CourseView | undefined {
    const view = viewOf(access, actor);
    if (view !== 'full' || !locked) return view;
    // Stryker disable next-line StringLiteral: equivalent, any view but 'full' gives the preview bodies; the name only picks the cache slot
    return 'public';
  }

  async function resolveCourseId(ref: CourseRef): Promise<string | undefined> {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, the slug cache is a speed-up: through it an id (or a reference without a slug, which parseCourseRef never makes) resolves the same
    if (ref.id !== undefined || ref.slug === undefined) return selectCourseId(db, ref);
    const cached = await cache.getCourseIdBySlug(ref.slug);
    // Stryker disable next-line ConditionalExpression: equivalent, a cache miss reads the same id from the database
    if (cached !== undefined) return cached;
    const generation = await cache.listGeneration();
    const courseId = await selectCourseId(db, ref);
    if (courseId !== undefined) await cache.setCourseIdBySlug(ref.slug, generation, courseId);
    return courseId;
  }

  /**
   * Access check and outline from one snapshot, so the view always matches the data it shows
   * (`locked`: modules are locked for the learner, see learnerLocked).
   */
  function loadDetail(courseId: string, actor: Actor | null, locked: boolean) {
    return db.transaction(
      async (tx) => {
        const access = await selectCourseAccess(tx, courseId, actor?.id ?? null);
        const view = access && viewFor(access, actor, locked);
        if (view === undefined) return undefined;
        const course = await selectCourseWithInstructor(tx, courseId);
        // Stryker disable next-line ConditionalExpression: equivalent, the course row whose access facts were just read is in the same snapshot
        if (course === undefined) return undefined;
        // Stryker disable next-line ConditionalExpression: equivalent, toCourseDetail drops the bodies the view does not show; this only spares reading them
        const outline = await selectOutline(tx, courseId, view === 'full');
        return { view, body: toCourseDetail(course, outline, view) };
      },
      // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent for what a test can see: one snapshot matters only against a concurrent write between the statements, and read only is a safety net
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  return {
    async listCourses(query: ListCoursesQuery, serialize: Serialize<CatalogPage>): Promise<CatalogResponse> {
      const request = normaliseListQuery(query);
      const after = cursorFor(request.cursor, request.sort);
      const key = listCacheKey(request);
      const cached = await cache.getList(key);
      if (cached) return { ...cached, scope: 'public' };

      const generation = await cache.listGeneration();
      const rows = await selectCoursePage(db, request.filters, request.sort, after, request.limit + 1).catch(
        (error: unknown) => {
          throw isSearchQueryError(error) ? searchTooComplex() : error;
        },
      );
      const body = toPage(rows, request.limit, toCatalogCourse, (row) => cursorOf(request.sort, row));
      const response = cachedResponse(serialize(body));
      await cache.setList(key, generation, response);
      return { ...response, scope: 'public' };
    },

    /**
     * The course with its outline. Both views are cached per course (the public one and the full
     * one, which is identical for every caller entitled to it); the caller's entitlement is decided
     * before any cached view is returned, so a privileged view never reaches anyone else.
     */
    async getCourse(
      idOrSlug: string,
      actor: Actor | null,
      serialize: Serialize<CourseDetail>,
    ): Promise<CatalogResponse> {
      const ref = parseCourseRef(idOrSlug);
      if (ref === undefined) throw courseNotFound();

      let slugTarget: string | undefined;
      if (actor === null) {
        // Only published courses are ever stored under the public view.
        // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, an id reference's slug is never cached (resolveCourseId), so the look-up misses and the slow path resolves the same id
        if (ref.id === undefined && ref.slug !== undefined)
          slugTarget = await cache.getCourseIdBySlug(ref.slug);
        const candidate = ref.id ?? slugTarget;
        const cached = candidate && (await cache.getDetail(candidate, 'public'));
        if (cached) return { ...cached, scope: 'public' };
      }

      const courseId = slugTarget ?? (await resolveCourseId(ref));
      if (courseId === undefined) throw courseNotFound();
      // Stryker disable next-line BooleanLiteral: equivalent, a signed-in caller's value is replaced below before use, and an anonymous caller is never enrolled, so never given the full view it would lock
      let locked = false;
      if (actor !== null) {
        const access = await selectCourseAccess(db, courseId, actor.id);
        // Stryker disable next-line ConditionalExpression: equivalent, reached only if the course was deleted since its id was resolved; loadDetail then answers 404 for an admin, and others fail in learnerLocked
        if (access === undefined) throw courseNotFound();
        locked = await learnerLocked(access, actor, courseId);
        const view = viewFor(access, actor, locked);
        // Stryker disable next-line ConditionalExpression: equivalent, a speed-up: loadDetail decides the same view again and answers 404
        if (view === undefined) throw courseNotFound();
        const cached = await cache.getDetail(courseId, view);
        // Stryker disable next-line ConditionalExpression: equivalent, a cache miss computes the same bytes
        if (cached) return { ...cached, scope: 'private' };
      }

      const generation = await cache.detailGeneration(courseId);
      const loaded = await loadDetail(courseId, actor, locked);
      if (loaded === undefined) throw courseNotFound();
      const response = cachedResponse(serialize(loaded.body));
      await cache.setDetail(courseId, loaded.view, generation, response);
      return { ...response, scope: scopeFor(actor) };
    },

    /**
     * One lesson with its body: for everyone who can see the course when it is a preview lesson; else
     * for the instructor and admins, and for learners holding an enrollment that grants access, unless
     * the lesson's module is locked for them in a sequential course (403 `lesson_locked`, naming what
     * to complete first; decided by the progress module's rule through `learnerAccess`). Not cached
     * (a primary-key read).
     */
    async getLesson(
      idOrSlug: string,
      lessonId: string,
      actor: Actor | null,
      serialize: Serialize<CatalogLesson>,
    ): Promise<CatalogResponse> {
      const ref = parseCourseRef(idOrSlug);
      const courseId = ref && (await resolveCourseId(ref));
      // Stryker disable next-line ConditionalExpression: equivalent, selectCourseAccess finds no course for a missing id and the next check answers 404
      if (courseId === undefined) throw courseNotFound();
      const access = await selectCourseAccess(db, courseId, actor?.id ?? null);
      const view = access && viewOf(access, actor);
      // Stryker disable next-line ConditionalExpression: equivalent, without access facts the view is undefined too
      if (access === undefined || view === undefined) throw courseNotFound();
      // A UUID parameter matches in any case (PostgreSQL parses it): no lower-casing needed.
      const lesson = await selectLesson(db, courseId, lessonId);
      if (lesson === undefined) throw new AppError('not_found', 'No such lesson in this course.');
      if (!lesson.isPreview) {
        // Anonymous callers never get the full view.
        if (actor === null) throw new AppError('unauthorized', 'Sign in and enroll to access this lesson.');
        if (view !== 'full') throw notEnrolled(courseId, access.enrollmentStatus);
        // `access.sequentialModules` is a speed-up: lessonAccess leaves every lesson of a non-sequential course open.
        if (!isAuthorOf(access, actor) && access.sequentialModules) {
          const decision = await learnerAccess.lessonAccess(actor.id, courseId, lesson.id);
          if (decision.kind === 'locked') throw decision.error;
          // Anything else but open refuses too: not_enrolled here means the enrollment changed since selectCourseAccess.
          // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent for tests, not_enrolled needs an enrollment changed between two statements
          if (decision.kind !== 'open') throw notEnrolled(courseId, access.enrollmentStatus);
        }
      }
      const body: CatalogLesson = {
        id: lesson.id,
        courseId: lesson.courseId,
        moduleId: lesson.moduleId,
        title: lesson.title,
        type: lesson.type,
        position: lesson.position,
        durationSeconds: lesson.durationSeconds,
        isPreview: lesson.isPreview,
        content: lesson.content,
        videoUrl: lesson.videoUrl,
        updatedAt: lesson.updatedAt.toISOString(),
      };
      return { ...cachedResponse(serialize(body)), scope: scopeFor(actor) };
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
