/**
 * The gradebook: a course's staff read keyset pages of its students × its graded items (or the
 * whole of it as a CSV streamed in batches); a student reads their own row with per-item detail.
 * Reads only: scores are written by the quizzes and assignments modules. JSON pages are served
 * from per-instance copies (gradebook-pages.ts) after the caller's right to read them is checked;
 * the CSV and a student's own grades are read fresh each time.
 */
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { cursorDecoder, toPage } from '../../shared/keyset.js';
import { UUID_PATTERN } from '../../shared/uuid.js';
import {
  GRADEBOOK_SORTS,
  type GradebookAfter,
  type GradebookSort,
  type StudentGradesRow,
  selectGradebookCourse,
  selectGradebookStaffFacts,
  selectGradedItems,
  selectStudentGrades,
} from './gradebook.queries.js';
import { authorizeGradebook, authorizeOwnGrades } from './gradebook-access.js';
import { csvHeader, csvLine } from './gradebook-csv.js';
import type { GradebookPages } from './gradebook-pages.js';
import {
  type GradedItemView,
  gradeCells,
  itemView,
  type StudentGradesView,
  studentGradesView,
  totalOf,
} from './gradebook-views.js';

/** Students per statement of a CSV download: memory stays flat whatever the course's size. */
export const GRADEBOOK_CSV_BATCH = 500;

const decodeCursor = cursorDecoder(
  Type.Object(
    {
      s: Type.Enum([...GRADEBOOK_SORTS]),
      k: Type.String({ maxLength: 400 }),
      id: Type.String({ pattern: UUID_PATTERN }),
    },
    { additionalProperties: false },
  ),
  (position) => position.s !== 'enrolled_at' || !Number.isNaN(new Date(position.k).getTime()),
);

function afterOf(cursor: string | undefined, sort: GradebookSort): GradebookAfter | undefined {
  const position = decodeCursor(cursor);
  if (position === undefined) return undefined;
  // A cursor of the other order would start the page at a meaningless place.
  if (position.s !== sort) {
    throw new AppError('bad_request', 'The cursor belongs to another sort order; start again without one.', {
      errors: [{ field: '/querystring/cursor', message: 'was issued for another `sort`' }],
    });
  }
  return { key: position.k, id: position.id };
}

const cursorOf =
  (sort: GradebookSort) =>
  (row: StudentGradesRow): unknown => ({
    s: sort,
    k: sort === 'name' ? row.name : row.enrolled_key,
    id: row.enrollment_id,
  });

/** The JSON page as the route's serializer (its response schema) writes it: it is cached as these bytes. */
export type GradebookPageSerializer = (page: GradebookPageView) => string;

export type GradebookPageView = {
  items: GradedItemView[];
  data: StudentGradesView[];
  nextCursor: string | null;
};

/** The next moment a cell's `missing` flag changes by itself: the earliest due or closing time after `at`. */
export function nextClosingTime(items: readonly GradedItemView[], at: Date): Date | null {
  let next: number | null = null;
  for (const item of items) {
    const closes = item.kind === 'assignment' ? item.dueAt : item.availableUntil;
    if (closes === null) continue;
    const time = new Date(closes).getTime();
    if (time >= at.getTime() && (next === null || time < next)) next = time;
  }
  return next === null ? null : new Date(next);
}

const noSuchCourse = () => new AppError('not_found', 'No such course.');

export interface GradebookServiceDependencies {
  db: Database;
  /** This instance's copies of JSON pages, invalidated by the subscribers in src/subscribers.ts. */
  pages: GradebookPages;
  /** The clock the missing flags are read against. */
  now?: () => Date;
  /** Students per statement of a CSV download (GRADEBOOK_CSV_BATCH; smaller in tests). */
  csvBatch?: number;
}

export function createGradebookService({
  db,
  pages,
  now = () => new Date(),
  csvBatch = GRADEBOOK_CSV_BATCH,
}: GradebookServiceDependencies) {
  async function staffCourse(actor: Actor, courseId: string) {
    const course = authorizeGradebook(actor, await selectGradebookCourse(db, courseId, actor.id));
    return { course, items: course.items.map(itemView) };
  }

  return {
    /**
     * A page as the bytes `serialize` makes of it. The caller's right to read the course's gradebook
     * is checked first, every time; only then may a copy be served (it shows nothing of the caller).
     */
    async page(
      actor: Actor,
      courseId: string,
      query: { sort: GradebookSort; limit: number; cursor?: string | undefined },
      serialize: GradebookPageSerializer,
    ): Promise<Buffer> {
      const id = courseId.toLowerCase();
      const after = afterOf(query.cursor, query.sort);
      authorizeGradebook(actor, await selectGradebookStaffFacts(db, id));
      const key = `sort=${query.sort}&limit=${query.limit}&cursor=${query.cursor ?? ''}&format=json`;
      return pages.get(id, key, async () => {
        const itemRows = await selectGradedItems(db, id);
        if (itemRows === undefined) throw noSuchCourse();
        const items = itemRows.map(itemView);
        const rows = await selectStudentGrades(db, id, {
          kind: 'page',
          sort: query.sort,
          limit: query.limit,
          after,
        });
        const at = now();
        const page = toPage(
          rows,
          query.limit,
          (row) => studentGradesView(row, items, at),
          cursorOf(query.sort),
        );
        return { payload: serialize({ items, ...page }), validUntil: nextClosingTime(items, at) };
      });
    },

    /**
     * The whole gradebook as CSV lines, GRADEBOOK_CSV_BATCH students per statement, read as the
     * client consumes them (Readable.from pulls the next batch only when the socket drains).
     * Authorization is checked before the stream exists, so a refusal is a problem response.
     */
    async csv(actor: Actor, courseId: string, sort: GradebookSort) {
      const { course, items } = await staffCourse(actor, courseId);
      const at = now();
      async function* lines(): AsyncGenerator<string> {
        yield csvHeader(items);
        let after: GradebookAfter | undefined;
        for (;;) {
          const rows = await selectStudentGrades(db, courseId, {
            kind: 'page',
            sort,
            limit: csvBatch,
            after,
          });
          const batch = rows.slice(0, csvBatch);
          if (batch.length > 0) yield batch.map((row) => csvLine(studentGradesView(row, items, at))).join('');
          const last = batch.at(-1);
          if (rows.length <= csvBatch || last === undefined) return;
          after = { key: sort === 'name' ? last.name : last.enrolled_key, id: last.enrollment_id };
        }
      }
      return { filename: `gradebook-${course.slug}.csv`, stream: Readable.from(lines()) };
    },

    /** The caller's own grades in a course they learn in: every graded item with its cell and the total. */
    async mine(actor: Actor, courseId: string) {
      const course = authorizeOwnGrades(actor, await selectGradebookCourse(db, courseId, actor.id));
      const items = course.items.map(itemView);
      const [row] = await selectStudentGrades(db, courseId, { kind: 'student', userId: actor.id });
      const at = now();
      const cells = gradeCells(row, items, at);
      return {
        course: { id: course.id, slug: course.slug, title: course.title },
        enrollmentStatus: course.enrollment_status === 'completed' ? 'completed' : 'active',
        items: items.map((item, index) => ({ ...item, grade: cells[index]! })),
        total: totalOf(cells),
      };
    },
  };
}

export type GradebookService = ReturnType<typeof createGradebookService>;
