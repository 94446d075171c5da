/**
 * The gradebook's answers, built from its rows: per student and graded item the counted score (quiz
 * points are the counted percent of the quiz's current points), the late and missing flags, and the
 * course total weighted by points: the sum of counted scores over the sum of every item's points
 * (an item with nothing counted yet adds 0 of its points), as a percent.
 */
import type { AssignmentCellRow, GradedItemRow, QuizCellRow, StudentGradesRow } from './gradebook.queries.js';

export interface GradedItemView {
  id: string;
  kind: 'quiz' | 'assignment';
  title: string;
  maxScore: number;
  required: boolean;
  /** Percent of maxScore needed to pass. */
  passingScore: number;
  dueAt: string | null;
  availableFrom: string | null;
  availableUntil: string | null;
}

export interface GradeCellView {
  itemId: string;
  kind: 'quiz' | 'assignment';
  /** The counted score in points; null while nothing counts (not submitted, or awaiting grading). */
  score: number | null;
  maxScore: number;
  /** The counted score reaches the item's passing score. */
  passed: boolean;
  submittedAttempts: number;
  /** An attempt is submitted and waits for a grader (needs_review, submitted, in_review). */
  awaitingGrade: boolean;
  /** Assignments: the latest attempt came after the due date. */
  late: boolean;
  /** Past its due date (assignment) or closed (quiz) with nothing submitted. */
  missing: boolean;
}

export interface GradeTotalView {
  score: number;
  maxScore: number;
  /** score / maxScore in %, two decimals; null when the course has no points to earn. */
  percent: number | null;
}

export interface StudentGradesView {
  enrollmentId: string;
  enrollmentStatus: 'active' | 'completed';
  enrolledAt: string;
  student: { id: string; name: string; email: string };
  grades: GradeCellView[];
  total: GradeTotalView;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const isoOrNull = (value: string | null) => (value === null ? null : new Date(value).toISOString());

export function itemView(row: GradedItemRow): GradedItemView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    maxScore: Number(row.max_points),
    required: row.is_required,
    passingScore: row.passing_score,
    dueAt: isoOrNull(row.due_at),
    availableFrom: isoOrNull(row.available_from),
    availableUntil: isoOrNull(row.available_until),
  };
}

/** Due (assignment) or closing (quiz) time has passed. */
function isPastDue(item: GradedItemView, now: Date): boolean {
  const closes = item.kind === 'assignment' ? item.dueAt : item.availableUntil;
  return closes !== null && new Date(closes).getTime() < now.getTime();
}

function cellOf(
  item: GradedItemView,
  quiz: QuizCellRow | undefined,
  assignment: AssignmentCellRow | undefined,
  now: Date,
): GradeCellView {
  let score: number | null = null;
  let submittedAttempts = 0;
  let awaitingGrade = false;
  let late = false;
  if (item.kind === 'quiz' && quiz) {
    score =
      quiz.counted_percent === null ? null : round2((Number(quiz.counted_percent) * item.maxScore) / 100);
    submittedAttempts = quiz.submitted;
    awaitingGrade = quiz.awaiting;
  }
  if (item.kind === 'assignment' && assignment) {
    score = assignment.counted_points === null ? null : Number(assignment.counted_points);
    submittedAttempts = assignment.submitted;
    awaitingGrade = assignment.awaiting;
    late = assignment.late === true;
  }
  // Passing as the completion rule decides it: quizzes on the percent, assignments on the points.
  const passed =
    score !== null &&
    (item.kind === 'quiz'
      ? Number(quiz?.counted_percent) >= item.passingScore
      : score >= (item.passingScore * item.maxScore) / 100);
  return {
    itemId: item.id,
    kind: item.kind,
    score,
    maxScore: item.maxScore,
    passed,
    submittedAttempts,
    awaitingGrade,
    late,
    missing: submittedAttempts === 0 && isPastDue(item, now),
  };
}

export function totalOf(cells: readonly GradeCellView[]): GradeTotalView {
  const score = round2(cells.reduce((sum, cell) => sum + (cell.score ?? 0), 0));
  const maxScore = round2(cells.reduce((sum, cell) => sum + cell.maxScore, 0));
  return { score, maxScore, percent: maxScore > 0 ? round2((100 * score) / maxScore) : null };
}

/** One cell per item, in the items' order (a student with no attempt at all has no cell rows). */
export function gradeCells(
  row: Pick<StudentGradesRow, 'quiz_cells' | 'assignment_cells'> | undefined,
  items: readonly GradedItemView[],
  now: Date,
): GradeCellView[] {
  const quizzes = new Map((row?.quiz_cells ?? []).map((cell) => [cell.item_id, cell]));
  const assignments = new Map((row?.assignment_cells ?? []).map((cell) => [cell.item_id, cell]));
  return items.map((item) => cellOf(item, quizzes.get(item.id), assignments.get(item.id), now));
}

export function studentGradesView(
  row: StudentGradesRow,
  items: readonly GradedItemView[],
  now: Date,
): StudentGradesView {
  const grades = gradeCells(row, items, now);
  return {
    enrollmentId: row.enrollment_id,
    enrollmentStatus: row.status === 'completed' ? 'completed' : 'active',
    enrolledAt: new Date(row.enrolled_at).toISOString(),
    student: { id: row.user_id, name: row.name, email: row.email },
    grades,
    total: totalOf(grades),
  };
}
