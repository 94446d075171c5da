/**
 * Authoring assignments (the course's instructor and admins) and reading them (staff: all; enrolled
 * students: published ones), with their rubrics. Destructive edits are refused rather than versioned:
 * deleting an assignment that has submissions is 409 `assignment_has_submissions` (unpublish it
 * instead), replacing or deleting a rubric a grading used is 409 `rubric_in_use`.
 */

import { Type } from 'typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { NewAssignment } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Actor } from '../../shared/actor.js';
import { FOREIGN_KEY_VIOLATION, isViolation } from '../../shared/database-violations.js';
import { AppError } from '../../shared/errors.js';
import { cursorDecoder, isRealInstant, MICROSECOND_TIMESTAMP_PATTERN, toPage } from '../../shared/keyset.js';
import { UUID_PATTERN } from '../../shared/uuid.js';
import { validationFailed } from '../../shared/validation.js';
import {
  assignmentNotFound,
  authorizeAuthoring,
  authorizeReading,
  courseNotFound,
} from './assignment-access.js';
import { rubricMaxPoints, toAssignmentView, toRubricView } from './assignment-views.js';
import {
  type AssignmentWithAccess,
  deleteAssignment,
  deleteRubric,
  hasSubmissions,
  insertAssignment,
  insertRubric,
  lessonInCourse,
  rubricUsed,
  selectAssignmentWithAccess,
  selectCourseAccess,
  selectCourseAssignments,
  selectRubric,
  updateAssignment,
} from './assignments.queries.js';
import type { CreateAssignmentBody, RubricBody, UpdateAssignmentBody } from './assignments.schemas.js';

export interface AssignmentsServiceDependencies {
  db: Database;
  /**
   * Every committed write of an assignment publishes `assignment.changed` (the gradebook shows its
   * settings). Rubric writes do not: no score depends on a rubric once a grading used it (409).
   */
  events: DomainEventBus;
}

const decodeAssignmentCursor = cursorDecoder(
  Type.Object(
    {
      p: Type.String({ pattern: MICROSECOND_TIMESTAMP_PATTERN }),
      id: Type.String({ pattern: UUID_PATTERN }),
    },
    { additionalProperties: false },
  ),
  (position) => isRealInstant(position.p),
);

type AssignmentFields = CreateAssignmentBody | UpdateAssignmentBody;

/** The body as column values (only the fields it has), after the rules a schema cannot say. */
function columnsOf(fields: AssignmentFields): Partial<NewAssignment> {
  const values: Partial<NewAssignment> = {};
  const { dueAt, ...rest } = fields;
  Object.assign(values, rest);
  if (dueAt !== undefined) values.dueAt = dueAt === null ? null : new Date(dueAt);
  return values;
}

export function createAssignmentsService({ db, events }: AssignmentsServiceDependencies) {
  const changed = (assignment: { id: string; courseId: string }) =>
    events.publish('assignment.changed', { assignmentId: assignment.id, courseId: assignment.courseId });

  /** The assignment for an author, or 403/404 as assignment-access.ts decides. */
  async function authored(actor: Actor, id: string, lock = false): Promise<AssignmentWithAccess> {
    const found = await selectAssignmentWithAccess(db, id, actor.id, lock);
    if (!found) throw assignmentNotFound();
    authorizeAuthoring(actor, found.access, assignmentNotFound);
    return found;
  }

  async function checkLesson(lessonId: string | null | undefined, courseId: string): Promise<void> {
    if (lessonId === undefined || lessonId === null) return;
    if (!(await lessonInCourse(db, lessonId, courseId))) {
      throw validationFailed([{ field: '/body/lessonId', message: 'is not a lesson of this course' }]);
    }
  }

  return {
    async create(actor: Actor, courseId: string, body: CreateAssignmentBody) {
      const access = await selectCourseAccess(db, courseId, actor.id);
      if (!access) throw courseNotFound();
      authorizeAuthoring(actor, access, courseNotFound);
      await checkLesson(body.lessonId, courseId);
      const row = await insertAssignment(db, { ...columnsOf(body), title: body.title.trim(), courseId });
      // A new assignment is unpublished, no gradebook column yet; the event still means "any write".
      await changed(row);
      return toAssignmentView(row);
    },

    async list(actor: Actor, courseId: string, query: { limit: number; cursor?: string | undefined }) {
      const access = await selectCourseAccess(db, courseId, actor.id);
      if (!access) throw courseNotFound();
      const role = authorizeReading(actor, access, true, courseNotFound);
      const rows = await selectCourseAssignments(db, courseId, {
        publishedOnly: role === 'learner',
        limit: query.limit,
        cursor: decodeAssignmentCursor(query.cursor),
      });
      return toPage(
        rows,
        query.limit,
        (row) => toAssignmentView(row.assignment),
        (row) => ({ p: row.createdAtKey, id: row.assignment.id }),
      );
    },

    async get(actor: Actor, id: string) {
      const found = await selectAssignmentWithAccess(db, id, actor.id);
      if (!found) throw assignmentNotFound();
      authorizeReading(actor, found.access, found.assignment.isPublished, assignmentNotFound);
      return toAssignmentView(found.assignment);
    },

    /** Changing the due date clears the reminder mark, so the new date gets its own reminder. */
    async update(actor: Actor, id: string, body: UpdateAssignmentBody) {
      return unitOfWork(db, events, async (tx, changes) => {
        const found = await selectAssignmentWithAccess(tx, id, actor.id, true);
        if (!found) throw assignmentNotFound();
        authorizeAuthoring(actor, found.access, assignmentNotFound);
        await checkLesson(body.lessonId, found.assignment.courseId);
        const values = columnsOf(body);
        if (values.title !== undefined) values.title = values.title.trim();
        // The rubric's best levels must still fit (grading by rubric could not reach a valid grade).
        if (values.maxPoints !== undefined) {
          const rubricTotal = rubricMaxPoints(await selectRubric(tx, id));
          if (rubricTotal > values.maxPoints) {
            throw validationFailed([
              { field: '/body/maxPoints', message: `is less than the rubric's ${rubricTotal} points` },
            ]);
          }
        }
        if (values.dueAt !== undefined && values.dueAt?.getTime() !== found.assignment.dueAt?.getTime()) {
          values.dueReminderSentAt = null;
        }
        const updated = await updateAssignment(tx, id, values);
        changes.publish('assignment.changed', { assignmentId: id, courseId: updated.courseId });
        return toAssignmentView(updated);
      });
    },

    async setPublished(actor: Actor, id: string, isPublished: boolean) {
      await authored(actor, id);
      const updated = await updateAssignment(db, id, { isPublished });
      await changed(updated);
      return toAssignmentView(updated);
    },

    /** Refused once anyone submitted (their work and grades stay): 409 `assignment_has_submissions`. */
    async remove(actor: Actor, id: string): Promise<void> {
      const refused = () =>
        new AppError(
          'assignment_has_submissions',
          'This assignment has submissions: it cannot be deleted (unpublish it to hide it from students).',
        );
      try {
        await unitOfWork(db, events, async (tx, changes) => {
          const found = await selectAssignmentWithAccess(tx, id, actor.id, true);
          if (!found) throw assignmentNotFound();
          authorizeAuthoring(actor, found.access, assignmentNotFound);
          if (await hasSubmissions(tx, id)) throw refused();
          await deleteAssignment(tx, id);
          changes.publish('assignment.changed', { assignmentId: id, courseId: found.assignment.courseId });
        });
      } catch (error) {
        // A submission that arrived between the check and the delete: the foreign key refuses it.
        if (isViolation(error, FOREIGN_KEY_VIOLATION)) throw refused();
        throw error;
      }
    },

    /** Staff, and students who may see the assignment: a rubric is how work is judged, not a secret. */
    async rubric(actor: Actor, id: string) {
      const found = await selectAssignmentWithAccess(db, id, actor.id);
      if (!found) throw assignmentNotFound();
      authorizeReading(actor, found.access, found.assignment.isPublished, assignmentNotFound);
      const criteria = await selectRubric(db, id);
      if (criteria.length === 0) throw new AppError('not_found', 'This assignment has no rubric.');
      return toRubricView(id, criteria);
    },

    /**
     * Replaces the whole rubric in one transaction (the assignment row locked, so two replacements
     * and a grading cannot interleave). Its best levels may not add up to more than maxPoints.
     */
    async replaceRubric(actor: Actor, id: string, body: RubricBody) {
      return db.transaction(async (tx) => {
        const found = await selectAssignmentWithAccess(tx, id, actor.id, true);
        if (!found) throw assignmentNotFound();
        authorizeAuthoring(actor, found.access, assignmentNotFound);
        const total = body.criteria.reduce(
          (sum, criterion) => sum + Math.max(...criterion.levels.map((level) => level.points)),
          0,
        );
        if (total > found.assignment.maxPoints) {
          throw validationFailed([
            {
              field: '/body/criteria',
              message: `the best levels add up to ${total} points, more than the assignment's ${found.assignment.maxPoints}`,
            },
          ]);
        }
        if (await rubricUsed(tx, id)) throw rubricInUse();
        await deleteRubric(tx, id);
        await insertRubric(tx, id, body.criteria);
        return toRubricView(id, await selectRubric(tx, id));
      });
    },

    async deleteRubric(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const found = await selectAssignmentWithAccess(tx, id, actor.id, true);
        if (!found) throw assignmentNotFound();
        authorizeAuthoring(actor, found.access, assignmentNotFound);
        if (await rubricUsed(tx, id)) throw rubricInUse();
        if ((await selectRubric(tx, id)).length === 0) {
          throw new AppError('not_found', 'This assignment has no rubric.');
        }
        await deleteRubric(tx, id);
      });
    },
  };
}

const rubricInUse = () =>
  new AppError(
    'rubric_in_use',
    'Submissions were graded with this rubric: it cannot be replaced or deleted (their assessments refer to it).',
  );

export type AssignmentsService = ReturnType<typeof createAssignmentsService>;
