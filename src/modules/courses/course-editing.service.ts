/**
 * Course editing: create a course (with a free slug, for oneself or, as an admin, for another
 * instructor) and edit its fields under optimistic concurrency (If-Match required). Writes the
 * `courses` table; every committed change publishes `course.changed`.
 */
import { and, eq, sql } from 'drizzle-orm';
import { type Course, courses, type NewCourse } from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { isUniqueViolation } from '../../shared/database-violations.js';
import { AppError } from '../../shared/errors.js';
import { slugCandidate, slugify } from '../../shared/slug.js';
import { validationFailed } from '../../shared/validation.js';
import { requireAuthorRole } from './course-access.js';
import { type CreateCourseInput, courseValues, type UpdateCourseInput } from './course-fields.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import { findOwnerCandidate, slugIsHeld, takenSlugs } from './courses.queries.js';

/** Slug candidates checked per round trip (`intro`, `intro-2`, ... `intro-25`). */
const SLUG_CANDIDATES_PER_QUERY = 25;
const MAX_SLUG_QUERIES = 8;

const COURSE_SLUG_UNIQUE = 'courses_slug_unique';

/** Creates courses and edits their fields. */
export function createCourseEditingService(deps: CourseWriteDependencies) {
  const { db } = deps;
  const writer = createCourseWriter(deps);

  async function resolveOwner(actor: Actor, instructorId: string | undefined): Promise<string> {
    if (instructorId === undefined || instructorId === actor.id) return actor.id;
    if (!isAdmin(actor)) {
      throw new AppError('forbidden', 'Only admins can create a course for another instructor.');
    }
    const owner = await findOwnerCandidate(db, instructorId);
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
      const taken = await takenSlugs(db, candidates);
      for (const slug of candidates) {
        if (taken.has(slug)) continue;
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
              if (await slugIsHeld(tx, values.slug)) throw slugTaken(values.slug);
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
