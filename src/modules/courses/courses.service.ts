/**
 * Course authoring. The courses module writes the `courses`, `course_modules` and `lessons` tables
 * (modules and lessons in course-outline.service.ts); every committed write publishes `course.changed`.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Static } from 'typebox';
import {
  type Course,
  type CourseModule,
  type CourseStatus,
  courseModules,
  courses,
  enrollments,
  type Lesson,
  lessons,
  type NewCourse,
  users,
} from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { FOREIGN_KEY_VIOLATION, isUniqueViolation, isViolation } from '../../shared/database-violations.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, microsecondKey, olderThan, toPage } from '../../shared/keyset.js';
import { looksLikeCourseId, slugCandidate, slugify } from '../../shared/slug.js';
import type { Transaction } from '../../shared/transaction.js';
import { validationFailed } from '../../shared/validation.js';
import { authorizeAuthoringView, courseNotFound, requireAuthorRole } from './course-access.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import type { CreateCourseBody, UpdateCourseBody } from './courses.schemas.js';

export type CreateCourseInput = Static<typeof CreateCourseBody>;
export type UpdateCourseInput = Static<typeof UpdateCourseBody>;

export interface InstructorCoursesFilter {
  limit: number;
  cursor?: string | undefined;
  status?: CourseStatus | undefined;
  instructorId?: string | undefined;
}

export interface AuthoringView {
  course: Course;
  modules: (CourseModule & { lessons: Lesson[] })[];
  publishBlockers: string[];
}

/** Slug candidates checked per round trip (`intro`, `intro-2`, ... `intro-25`). */
const SLUG_CANDIDATES_PER_QUERY = 25;
const MAX_SLUG_QUERIES = 8;

/** `created_at` with its microseconds, the cursor's timestamp (newest first, then id). */
const createdAtKey = microsecondKey(courses.createdAt);

const COURSE_SLUG_UNIQUE = 'courses_slug_unique';

function normaliseTags(tags: string[]): string[] {
  const normalised = tags.map((tag) => tag.trim().replace(/\s+/g, ' ').toLowerCase());
  return [...new Set(normalised)];
}

/** Optional free text: surrounding space trimmed, blank → null. */
function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Markdown keeps its leading indentation (it is meaningful); only an all-blank description becomes null. */
function optionalMarkdown(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  return value.trim() === '' ? null : value.replace(/\s+$/, '');
}

/** The column values for the given fields, or the fields that are wrong after normalisation. */
function courseValues(input: Partial<CreateCourseInput> & { slug?: string }): {
  values: Partial<NewCourse>;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const values: Partial<NewCourse> = {};
  if (input.title !== undefined) {
    values.title = input.title.trim().replace(/\s+/g, ' ');
    if (values.title.length < 3) {
      errors.push({ field: '/body/title', message: 'must have at least 3 characters besides spaces' });
    }
  }
  if (input.subtitle !== undefined) values.subtitle = optionalText(input.subtitle);
  if (input.description !== undefined) values.description = optionalMarkdown(input.description);
  if (input.difficulty !== undefined) values.difficulty = input.difficulty;
  if (input.priceCents !== undefined) values.priceCents = input.priceCents;
  if (input.currency !== undefined) values.currency = input.currency;
  if (input.category !== undefined) values.category = optionalText(input.category);
  if (input.tags !== undefined) values.tags = normaliseTags(input.tags);
  if (input.language !== undefined) values.language = input.language;
  if (input.thumbnailUrl !== undefined) values.thumbnailUrl = input.thumbnailUrl;
  if (input.slug !== undefined) {
    values.slug = input.slug;
    if (looksLikeCourseId(input.slug)) {
      errors.push({ field: '/body/slug', message: 'must not have the shape of a course id (a UUID)' });
    }
  }
  return { values, errors };
}

/** Why a course cannot be published yet (empty: it can). */
function publishBlockersOf(description: string | null, moduleCount: number, lessonCount: number): string[] {
  const blockers: string[] = [];
  if (description === null || description.trim() === '') blockers.push('The course needs a description.');
  if (moduleCount === 0) blockers.push('The course needs at least one module with at least one lesson.');
  else if (lessonCount === 0) blockers.push('At least one module needs at least one lesson.');
  return blockers;
}

async function countOutline(tx: Transaction, courseId: string) {
  const [counts] = await tx
    .select({
      modules: sql<number>`count(distinct ${courseModules.id})::int`,
      lessons: sql<number>`count(${lessons.id})::int`,
    })
    .from(courseModules)
    .leftJoin(lessons, eq(lessons.moduleId, courseModules.id))
    .where(eq(courseModules.courseId, courseId));
  return { modules: counts?.modules ?? 0, lessons: counts?.lessons ?? 0 };
}

async function hasEnrollments(tx: Transaction, courseId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: enrollments.id })
    .from(enrollments)
    .where(eq(enrollments.courseId, courseId))
    .limit(1);
  return rows.length > 0;
}

function invalidTransition(course: Course, action: string, allowedFrom: CourseStatus[]): AppError {
  return new AppError(
    'conflict',
    `Cannot ${action} a ${course.status} course; only ${allowedFrom.join(' or ')} courses can be ${action === 'publish' ? 'published' : `${action}d`}.`,
    { status: course.status },
  );
}

/**
 * Course records and their lifecycle: create (with a unique slug), list an instructor's courses,
 * the authoring view, edits under optimistic concurrency, publish / archive / unpublish, delete.
 */
export function createCourseService(deps: CourseWriteDependencies) {
  const { db } = deps;
  const writer = createCourseWriter(deps);

  async function resolveOwner(actor: Actor, instructorId: string | undefined): Promise<string> {
    if (instructorId === undefined || instructorId === actor.id) return actor.id;
    if (!isAdmin(actor)) {
      throw new AppError('forbidden', 'Only admins can create a course for another instructor.');
    }
    const [owner] = await db
      .select({ role: users.role, isActive: users.isActive })
      .from(users)
      .where(eq(users.id, instructorId));
    if (!owner || !owner.isActive || owner.role === 'student') {
      throw validationFailed([
        { field: '/body/instructorId', message: 'is not an active instructor or admin account' },
      ]);
    }
    return instructorId;
  }

  /**
   * Inserts with the first free candidate slug. Two creations racing for the same slug cannot both
   * win: the insert skips on the unique constraint (ON CONFLICT DO NOTHING) and the loser moves on
   * to the next candidate, so no request fails because of a race.
   */
  async function insertWithFreeSlug(values: Omit<NewCourse, 'slug'>): Promise<Course> {
    const base = slugify(values.title);
    for (let round = 0; round < MAX_SLUG_QUERIES; round++) {
      const candidates = Array.from({ length: SLUG_CANDIDATES_PER_QUERY }, (_, i) =>
        slugCandidate(base, round * SLUG_CANDIDATES_PER_QUERY + i + 1),
      );
      const taken = await db
        .select({ slug: courses.slug })
        .from(courses)
        .where(inArray(courses.slug, candidates));
      const takenSlugs = new Set(taken.map((row) => row.slug));
      for (const slug of candidates) {
        if (takenSlugs.has(slug)) continue;
        const [course] = await db
          .insert(courses)
          .values({ ...values, slug })
          .onConflictDoNothing({ target: courses.slug })
          .returning();
        if (course) return course;
      }
    }
    throw new AppError(
      'conflict',
      'Too many courses already use this title’s slug; choose a more distinctive title.',
    );
  }

  async function transition(
    actor: Actor,
    courseId: string,
    ifMatch: number[] | undefined,
    lock: 'update' | 'no key update',
    apply: (tx: Transaction, course: Course) => Promise<PgUpdateSetSource<typeof courses>>,
  ): Promise<Course> {
    const { result } = await writer.write(actor, courseId, { ifMatch, lock }, async (tx, course) => {
      const changes = await apply(tx, course);
      const [updated] = await tx
        .update(courses)
        .set({ ...changes, version: sql`${courses.version} + 1` })
        .where(and(eq(courses.id, courseId), eq(courses.version, course.version)))
        .returning();
      if (!updated) throw courseNotFound();
      return updated;
    });
    return result;
  }

  return {
    async create(actor: Actor, input: CreateCourseInput): Promise<Course> {
      requireAuthorRole(actor);
      const instructorId = await resolveOwner(actor, input.instructorId);
      const { values, errors } = courseValues(input);
      if (errors.length > 0) throw validationFailed(errors);
      const course = await insertWithFreeSlug({
        ...values,
        title: values.title ?? input.title,
        instructorId,
      });
      await writer.courseChanged(course.id);
      return course;
    },

    /** The caller's courses (all statuses), newest first; admins see everyone's. */
    async listForInstructor(actor: Actor, filter: InstructorCoursesFilter) {
      requireAuthorRole(actor);
      let instructorId = filter.instructorId;
      if (!isAdmin(actor)) {
        if (instructorId !== undefined && instructorId !== actor.id) {
          throw new AppError('forbidden', 'Only admins can list another instructor’s courses.');
        }
        instructorId = actor.id;
      }
      const after = decodeTimestampIdCursor(filter.cursor);
      const rows = await db
        .select({ course: courses, cursorKey: createdAtKey })
        .from(courses)
        .where(
          and(
            instructorId === undefined ? undefined : eq(courses.instructorId, instructorId),
            filter.status === undefined ? undefined : eq(courses.status, filter.status),
            after === undefined ? undefined : olderThan(courses.createdAt, courses.id, after),
          ),
        )
        .orderBy(desc(courses.createdAt), desc(courses.id))
        .limit(filter.limit + 1);
      return toPage(
        rows,
        filter.limit,
        (row) => row.course,
        (row) => ({ p: row.cursorKey, id: row.course.id }),
      );
    },

    /**
     * The course with every module and lesson (content included), read in one statement so the
     * outline matches the returned version. Only for the course's instructor and admins.
     */
    async authoringView(actor: Actor, courseId: string): Promise<AuthoringView> {
      const course = await db.query.courses.findFirst({
        where: eq(courses.id, courseId),
        with: {
          modules: {
            orderBy: [asc(courseModules.position)],
            with: { lessons: { orderBy: [asc(lessons.position)] } },
          },
        },
      });
      if (!course) throw courseNotFound();
      authorizeAuthoringView(actor, course);
      const { modules, ...fields } = course;
      const lessonCount = modules.reduce((sum, module) => sum + module.lessons.length, 0);
      return {
        course: fields,
        modules,
        publishBlockers: publishBlockersOf(fields.description, modules.length, lessonCount),
      };
    },

    /** Edits course fields; the caller must send the version it edited (If-Match), else 412. */
    async update(
      actor: Actor,
      courseId: string,
      ifMatch: number[] | undefined,
      input: UpdateCourseInput,
    ): Promise<Course> {
      const { values, errors } = courseValues(input);
      try {
        const { result } = await writer.write(
          actor,
          courseId,
          { ifMatch, requireIfMatch: true },
          async (tx, course) => {
            if (errors.length > 0) throw validationFailed(errors);
            if (values.description === null && course.status !== 'draft') {
              throw new AppError(
                'conflict',
                `A ${course.status} course must keep a description; unpublish it first to remove it.`,
              );
            }
            if (values.slug !== undefined && values.slug !== course.slug) {
              const [holder] = await tx
                .select({ id: courses.id })
                .from(courses)
                .where(eq(courses.slug, values.slug));
              if (holder) throw slugTaken(values.slug);
            }
            // The version check is repeated in the UPDATE itself: the write can only apply to the
            // version the client saw, whatever path led here.
            const [updated] = await tx
              .update(courses)
              .set({ ...values, version: sql`${courses.version} + 1` })
              .where(and(eq(courses.id, courseId), eq(courses.version, course.version)))
              .returning();
            if (!updated) {
              throw new AppError('precondition_failed', 'The course has changed since you loaded it.');
            }
            return updated;
          },
        );
        return result;
      } catch (error) {
        if (values.slug !== undefined && isUniqueViolation(error, COURSE_SLUG_UNIQUE)) {
          throw slugTaken(values.slug);
        }
        throw error;
      }
    },

    /** draft or archived → published, once it has a description and a lesson. */
    publish(actor: Actor, courseId: string, ifMatch?: number[]): Promise<Course> {
      return transition(actor, courseId, ifMatch, 'no key update', async (tx, course) => {
        if (course.status === 'published') throw invalidTransition(course, 'publish', ['draft', 'archived']);
        const counts = await countOutline(tx, courseId);
        const blockers = publishBlockersOf(course.description, counts.modules, counts.lessons);
        if (blockers.length > 0) {
          throw new AppError('conflict', `The course cannot be published yet: ${blockers.join(' ')}`, {
            blockers,
          });
        }
        return {
          status: 'published',
          publishedAt: course.publishedAt ?? sql`now()`,
          archivedAt: null,
        };
      });
    },

    /** published → archived: stays readable by enrolled students, takes no new enrollments. */
    archive(actor: Actor, courseId: string, ifMatch?: number[]): Promise<Course> {
      return transition(actor, courseId, ifMatch, 'no key update', async (_tx, course) => {
        if (course.status !== 'published') throw invalidTransition(course, 'archive', ['published']);
        return { status: 'archived', archivedAt: sql`now()` };
      });
    },

    /**
     * published → draft, only while nobody is enrolled (students would lose a course they joined).
     * The FOR UPDATE lock makes a concurrent enrollment (whose foreign key needs a share lock on the
     * course row) wait until this decision is committed.
     */
    unpublish(actor: Actor, courseId: string, ifMatch?: number[]): Promise<Course> {
      return transition(actor, courseId, ifMatch, 'update', async (tx, course) => {
        if (course.status !== 'published') throw invalidTransition(course, 'unpublish', ['published']);
        if (await hasEnrollments(tx, courseId)) {
          throw new AppError(
            'conflict',
            'Students are enrolled in this course, so it cannot go back to draft; archive it instead.',
          );
        }
        return { status: 'draft' };
      });
    },

    /** Deletes a draft nobody is enrolled in (with its modules and lessons). */
    async delete(actor: Actor, courseId: string, ifMatch?: number[]): Promise<void> {
      try {
        await writer.write(actor, courseId, { ifMatch, lock: 'update' }, async (tx, course) => {
          if (course.status !== 'draft') {
            throw new AppError(
              'conflict',
              `Only draft courses can be deleted; this one is ${course.status}${course.status === 'published' ? ' (archive it instead)' : ''}.`,
            );
          }
          if (await hasEnrollments(tx, courseId)) {
            throw new AppError('conflict', 'Students are enrolled in this course, so it cannot be deleted.');
          }
          await tx.delete(courses).where(eq(courses.id, courseId));
        });
      } catch (error) {
        if (isViolation(error, FOREIGN_KEY_VIOLATION)) {
          throw new AppError(
            'conflict',
            'The course is still referenced (e.g. by certificates or payments) and cannot be deleted.',
          );
        }
        throw error;
      }
    },
  };
}

/**
 * Says only that the slug cannot be had: naming it as another course's would confirm that an
 * unpublished course (someone else's draft) uses it.
 */
function slugTaken(slug: string): AppError {
  return new AppError('conflict', `The slug "${slug}" is not available; choose another.`, {
    errors: [{ field: '/body/slug', message: 'is not available' }],
  });
}

export type CourseService = ReturnType<typeof createCourseService>;
