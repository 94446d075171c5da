/**
 * The gradebook as CSV: a header (the student columns, one column per graded item titled with its
 * kind and points, then the totals and the count of late and missing items), then one line per
 * student. A score cell is the counted score, empty while nothing counts. Cells go through the
 * roster's csvCell (formula-injection prefix and quoting): item titles and names are user text.
 */
import { csvCell } from '../enrollments/index.js';
import type { GradedItemView, StudentGradesView } from './gradebook-views.js';

export function csvHeader(items: readonly GradedItemView[]): string {
  const cells = [
    'student_id',
    'student_name',
    'student_email',
    'enrollment_status',
    'enrolled_at',
    ...items.map((item) => `${item.title} (${item.kind}, ${item.maxScore} pts)`),
    'total_score',
    'total_max_score',
    'total_percent',
    'late_items',
    'missing_items',
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function csvLine(row: StudentGradesView): string {
  const cells = [
    row.student.id,
    row.student.name,
    row.student.email,
    row.enrollmentStatus,
    row.enrolledAt,
    ...row.grades.map((cell) => cell.score),
    row.total.score,
    row.total.maxScore,
    row.total.percent,
    row.grades.filter((cell) => cell.late).length,
    row.grades.filter((cell) => cell.missing).length,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}
