/**
 * Handing in work (actively enrolled students, published assignments) and reading it (its student,
 * the course's staff; anyone else: 404). Every rule that can refuse a submission is checked before
 * its body is read (enrollment, due date, attempts), then the files are checked while they stream to
 * storage (upload-check.ts), then the row is written. A refusal at any step leaves nothing: the
 * files written so far are deleted and no row exists.
 *
 * Attempts: a student may resubmit until a submission of theirs is graded (graded or returned) or
 * `max_attempts` is reached. The attempt is numbered inside a transaction that holds a per-student
 * lock (submissions.queries.ts), so concurrent submissions get distinct numbers and the limit holds;
 * the unique (assignment, student, attempt_number) constraint backs it. Lateness is fixed when the
 * request arrives (a slow upload that started in time is on time).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../../infrastructure/database/client/client.js';
import type {
  AssignmentGradingStatus,
  SubmissionAttachment,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { FileStorage } from '../../infrastructure/storage/file-storage.js';
import type { Actor } from '../../shared/actor.js';
import { isUniqueViolation } from '../../shared/database-violations.js';
import { AppError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, toPage } from '../../shared/keyset.js';
import { validationFailed } from '../../shared/validation.js';
import {
  assignmentNotFound,
  authorizeReading,
  authorizeSubmitting,
  isStaff,
  submissionNotFound,
} from './assignment-access.js';
import { fileUrlOf, type SubmissionView, toSubmissionView } from './assignment-views.js';
import { type AssignmentWithAccess, selectAssignmentWithAccess } from './assignments.queries.js';
import { MAX_CONTENT_LENGTH, MAX_FILES_PER_SUBMISSION } from './assignments.schemas.js';
import { type Lateness, latenessAt } from './late-penalty.js';
import {
  insertSubmission,
  lockStudentAttempts,
  selectAttemptFacts,
  selectRubricAssessments,
  selectRubricAssessmentsOf,
  selectSubmission,
  selectSubmissionsPage,
} from './submissions.queries.js';
import { checkUpload } from './upload-check.js';

export interface SubmissionsServiceDependencies {
  db: Database;
  /** A recorded submission publishes `assignment-submission.submitted` (the gradebook shows it). */
  events: DomainEventBus;
  storage: FileStorage;
  /** Where the module is mounted (`/api/v1`), for the file links in its answers. */
  apiPrefix: string;
}

/** A part of a multipart submission, as the route hands it over (no Fastify objects). */
export type SubmissionPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; filename: string; stream: Readable };

/** A file's name as kept and shown: its last path segment, without control characters, at most 255. */
export function cleanFilename(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((character) => {
      const code = character.charCodeAt(0);
      return code >= 0x20 && code !== 0x7f;
    })
    .join('')
    .trim()
    .slice(0, 255);
  return cleaned === '' ? 'file' : cleaned;
}

function attemptRefusal(
  assignment: { maxAttempts: number | null },
  facts: { attempts: number; graded: boolean },
): AppError | undefined {
  if (facts.graded) {
    return new AppError(
      'already_graded',
      'Your submission has been graded: no more submissions are accepted.',
    );
  }
  if (assignment.maxAttempts !== null && facts.attempts >= assignment.maxAttempts) {
    return new AppError(
      'attempt_limit_reached',
      `You have used all ${assignment.maxAttempts} attempt(s) of this assignment.`,
      { maxAttempts: assignment.maxAttempts },
    );
  }
  return undefined;
}

export function createSubmissionsService(deps: SubmissionsServiceDependencies) {
  const { db, events, storage } = deps;

  /** Every check before the body is read; the lateness at arrival. */
  async function admit(
    actor: Actor,
    assignmentId: string,
    now: Date,
  ): Promise<{ found: AssignmentWithAccess; lateness: Lateness }> {
    const found = await selectAssignmentWithAccess(db, assignmentId, actor.id);
    if (!found) throw assignmentNotFound();
    authorizeSubmitting(actor, found.access, found.assignment.isPublished);
    const lateness = latenessAt(found.assignment, now);
    const refusal = attemptRefusal(found.assignment, await selectAttemptFacts(db, assignmentId, actor.id));
    if (refusal) throw refusal;
    return { found, lateness };
  }

  /** Numbers and writes the attempt under the student's lock, re-checking the attempt rules there. */
  async function record(
    actor: Actor,
    found: AssignmentWithAccess,
    values: {
      id: string;
      content: string | null;
      attachments: SubmissionAttachment[];
      lateness: Lateness;
      now: Date;
    },
  ): Promise<SubmissionView> {
    const assignmentId = found.assignment.id;
    try {
      const row = await unitOfWork(db, events, async (tx, changes) => {
        await lockStudentAttempts(tx, assignmentId, actor.id);
        const facts = await selectAttemptFacts(tx, assignmentId, actor.id);
        const refusal = attemptRefusal(found.assignment, facts);
        if (refusal) throw refusal;
        const submission = await insertSubmission(tx, {
          id: values.id,
          assignmentId,
          studentId: actor.id,
          attemptNumber: facts.lastAttempt + 1,
          content: values.content,
          attachments: values.attachments,
          submittedAt: values.now,
          isLate: values.lateness.isLate,
          penaltyPercent: values.lateness.penaltyPercent,
        });
        changes.publish('assignment-submission.submitted', {
          submissionId: submission.id,
          assignmentId,
          userId: actor.id,
          courseId: found.assignment.courseId,
        });
        return submission;
      });
      return toSubmissionView(row, [], 'student');
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError(
          'conflict',
          'Another submission of yours was recorded at the same moment: reload and check.',
        );
      }
      throw error;
    }
  }

  /** The submission if `actor` may see it (its student, the course's staff), and whether as staff. */
  async function visible(actor: Actor, id: string) {
    const submission = await selectSubmission(db, id);
    if (!submission) throw submissionNotFound();
    const found = await selectAssignmentWithAccess(db, submission.assignmentId, actor.id);
    if (!found) throw submissionNotFound();
    const staff = isStaff(actor, found.access);
    if (!staff && submission.studentId !== actor.id) throw submissionNotFound();
    return { submission, assignment: found.assignment, staff };
  }

  return {
    /** A JSON submission: text and links. */
    async submitJson(
      actor: Actor,
      assignmentId: string,
      body: { content?: string | undefined; links?: string[] | undefined },
      now = new Date(),
    ): Promise<SubmissionView> {
      const { found, lateness } = await admit(actor, assignmentId, now);
      const content = body.content?.trim() ? body.content : null;
      const links = body.links ?? [];
      if (content === null && links.length === 0) {
        throw validationFailed([{ field: '/body', message: 'needs content or at least one link' }]);
      }
      return record(actor, found, {
        id: randomUUID(),
        content,
        attachments: links.map((url) => ({ name: url, url })),
        lateness,
        now,
      });
    },

    /**
     * A multipart submission: a `content` text field, `links` fields and up to MAX_FILES_PER_SUBMISSION files, each
     * checked as it streams to storage. `parts` is read only once every rule before the body passed.
     */
    async submitParts(
      actor: Actor,
      assignmentId: string,
      parts: () => AsyncIterable<SubmissionPart>,
      now = new Date(),
    ): Promise<SubmissionView> {
      const { found, lateness } = await admit(actor, assignmentId, now);
      const { assignment } = found;
      const id = randomUUID();
      const stored: string[] = [];
      const attachments: SubmissionAttachment[] = [];
      const links: SubmissionAttachment[] = [];
      let content: string | null = null;
      try {
        for await (const part of parts()) {
          if (part.kind === 'field' && part.name === 'links') {
            if (!/^https?:\/\/\S+$/.test(part.value) || part.value.length > 2_000 || links.length >= 20) {
              throw validationFailed([{ field: '/body/links', message: 'up to 20 http or https URLs' }]);
            }
            links.push({ name: part.value, url: part.value });
            continue;
          }
          if (part.kind === 'field') {
            if (part.name !== 'content') {
              throw validationFailed([
                { field: `/body/${part.name}`, message: 'is not a field of a submission' },
              ]);
            }
            if (part.value.length > MAX_CONTENT_LENGTH) {
              throw validationFailed([
                { field: '/body/content', message: `is longer than ${MAX_CONTENT_LENGTH} characters` },
              ]);
            }
            content = part.value.trim() ? part.value : null;
            continue;
          }
          const index = attachments.length;
          if (index >= MAX_FILES_PER_SUBMISSION) {
            part.stream.resume();
            throw validationFailed([
              { field: '/body/files', message: `at most ${MAX_FILES_PER_SUBMISSION} files` },
            ]);
          }
          const name = cleanFilename(part.filename);
          const checked = await checkUpload(part.stream, name, assignment);
          const key = `assignment-submissions/${assignment.id}/${id}/${index}`;
          stored.push(key);
          try {
            await storage.put(key, checked.body, { contentType: checked.contentType });
          } catch (error) {
            throw checked.failure() ?? error;
          }
          attachments.push({
            name,
            url: fileUrlOf(deps.apiPrefix, id, index),
            storageKey: key,
            mimeType: checked.contentType,
            sizeBytes: checked.size(),
          });
        }
        if (content === null && attachments.length === 0 && links.length === 0) {
          throw validationFailed([{ field: '/body', message: 'needs a `content` field, a link or a file' }]);
        }
        // Files first: a file's index in `attachments` is the one in its download URL.
        const all = [...attachments, ...links];
        return await record(actor, found, { id, content, attachments: all, lateness, now });
      } catch (error) {
        // Nothing of a refused submission stays: no row (the transaction did not commit), no file.
        await Promise.all(stored.map((key) => storage.delete(key)));
        throw error;
      }
    },

    async get(actor: Actor, id: string): Promise<SubmissionView> {
      const { submission, staff } = await visible(actor, id);
      return toSubmissionView(submission, await selectRubricAssessments(db, id), staff ? 'staff' : 'student');
    },

    /** A stored file of the submission, to stream (links are not files: 409 `not_a_file`). */
    async file(actor: Actor, id: string, index: number) {
      const { submission } = await visible(actor, id);
      const attachment = submission.attachments[index];
      if (!attachment) throw new AppError('not_found', 'The submission has no file at this index.');
      if (attachment.storageKey === undefined) {
        throw new AppError('not_a_file', 'This attachment is a link, not a stored file.', {
          url: attachment.url,
        });
      }
      const stored = await storage.get(attachment.storageKey);
      if (!stored) throw new AppError('not_found', 'The file is no longer stored.');
      return {
        body: stored.body,
        size: stored.object.size,
        contentType: attachment.mimeType ?? stored.object.contentType,
        filename: attachment.name,
      };
    },

    /** Staff: every submission (by grading status); a student: their own. Newest first. */
    async list(
      actor: Actor,
      assignmentId: string,
      query: { limit: number; cursor?: string | undefined; status?: AssignmentGradingStatus | undefined },
    ) {
      const found = await selectAssignmentWithAccess(db, assignmentId, actor.id);
      if (!found) throw assignmentNotFound();
      const role = authorizeReading(actor, found.access, found.assignment.isPublished, assignmentNotFound);
      const rows = await selectSubmissionsPage(db, assignmentId, {
        studentId: role === 'staff' ? undefined : actor.id,
        status: query.status,
        limit: query.limit,
        cursor: decodeTimestampIdCursor(query.cursor),
      });
      const page = toPage(
        rows,
        query.limit,
        (row) => row.submission,
        (row) => ({ p: row.submittedAtKey, id: row.submission.id }),
      );
      const assessments = await selectRubricAssessmentsOf(
        db,
        page.data.map((row) => row.id),
      );
      const data = page.data.map((row) =>
        toSubmissionView(row, assessments.get(row.id) ?? [], role === 'staff' ? 'staff' : 'student'),
      );
      return { data, nextCursor: page.nextCursor };
    },
  };
}

export type SubmissionsService = ReturnType<typeof createSubmissionsService>;
