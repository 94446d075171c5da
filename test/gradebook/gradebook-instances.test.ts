import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import {
  insertAssignmentSubmission,
  insertCourse,
  insertEnrollment,
  insertGradedAssignment,
  insertSignedInUser,
} from '../helpers/factories/index.js';
import { useSecondInstance } from '../helpers/second-instance.js';
import { requireRedis } from '../helpers/suite-requirements.js';
import { useTestApp } from '../helpers/use-test-app.js';

const withRedis = await requireRedis('gradebook pages across instances (1 test of gradebook-instances)');

/**
 * Two API instances on one database and one Redis, as behind a load balancer: each keeps its own
 * copies of gradebook pages, and the course's generation lives in Redis, so a grade committed
 * through one instance replaces the copy the other holds.
 */
describe.skipIf(!withRedis.available)(
  withRedis.title('gradebook pages on two instances sharing Redis'),
  () => {
    const first = useTestApp({ cast: ['instructor'] });
    const { instructor } = first.cast;
    const second = useSecondInstance(first);

    it('a grade given through one instance shows at once in the page the other instance keeps', async () => {
      const course = await insertCourse(first.db, instructor.id);
      const learner = await insertSignedInUser(first.testApp);
      await insertEnrollment(first.db, learner.id, course.id);
      const assignment = await insertGradedAssignment(first.db, course.id, { maxPoints: 20 });
      const submission = await insertAssignmentSubmission(first.db, {
        assignmentId: assignment.id,
        studentId: learner.id,
      });
      const scoreOn = async (app: App) => {
        const response = await app.inject({
          method: 'GET',
          url: `/api/v1/courses/${course.id}/gradebook`,
          headers: instructor.headers,
        });
        expect(response.statusCode, response.body).toBe(200);
        return response.json().data[0].grades[0].score as number | null;
      };
      // Both instances keep a copy.
      for (let read = 0; read < 2; read++) {
        expect(await scoreOn(second.app)).toBeNull();
        expect(await scoreOn(first.app)).toBeNull();
      }
      const graded = await first.app.inject({
        method: 'POST',
        url: `/api/v1/assignment-submissions/${submission.id}/grade`,
        headers: instructor.headers,
        payload: { score: 15, status: 'graded' },
      });
      expect(graded.statusCode, graded.body).toBe(200);
      expect(await scoreOn(second.app)).toBe(15);
      expect(await scoreOn(first.app)).toBe(15);
    });
  },
);
