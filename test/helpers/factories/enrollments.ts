import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  type Enrollment,
  enrollments,
  type NewEnrollment,
} from '../../../src/infrastructure/database/schema/index.js';

/**
 * An enrollment of `userId` in `courseId`; `status: 'completed'` gets a completed_at and `'dropped'` a
 * dropped_at unless one is given (the schema's checks require them).
 */
export async function insertEnrollment(
  db: Database,
  userId: string,
  courseId: string,
  overrides: Partial<Omit<NewEnrollment, 'userId' | 'courseId'>> = {},
): Promise<Enrollment> {
  const status = overrides.status ?? 'active';
  const [enrollment] = await db
    .insert(enrollments)
    .values({
      ...overrides,
      userId,
      courseId,
      status,
      completedAt: overrides.completedAt ?? (status === 'completed' ? new Date() : null),
      droppedAt: overrides.droppedAt ?? (status === 'dropped' ? new Date() : null),
    })
    .returning();
  if (!enrollment) throw new Error('insertEnrollment: insert returned no row');
  return enrollment;
}
