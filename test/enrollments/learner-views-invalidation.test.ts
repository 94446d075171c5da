import { describe, expect, it } from 'vitest';
import {
  insertCourse,
  insertEnrollment,
  insertLesson,
  insertModule,
  insertSignedInUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * "My enrollments" pages and the learner's course view are served from per-instance copies
 * (src/infrastructure/cache/stamped-views.ts). Every change they show must reach the next read at
 * once, through the API only (no direct database writes here: those reach a copy only by its TTL).
 */
describe('learner views follow every change at once', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    caller: SignedInUser,
    payload?: object,
  ) =>
    suite.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: caller.headers,
      ...(payload ? { payload } : {}),
    });

  async function enrolledLearner(title: string) {
    const course = await insertCourse(suite.db, instructor.id, { title });
    const module = await insertModule(suite.db, course.id, 0);
    const lessons = [await insertLesson(suite.db, module, 0), await insertLesson(suite.db, module, 1)];
    const student = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, student.id, course.id);
    return { course, lessons, student, enrollment };
  }

  const myList = async (student: SignedInUser) => {
    const response = await call('GET', '/me/enrollments', student);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data as {
      id: string;
      status: string;
      progressPercent: number;
      course: { title: string };
    }[];
  };

  it('a progress write shows in my enrollments at once (percentage and next lesson)', async () => {
    const { lessons, student } = await enrolledLearner('Progress shows');
    expect((await myList(student))[0]).toMatchObject({ progressPercent: 0 });
    const write = await call('PUT', `/me/lessons/${lessons[0]!.id}/progress`, student, {
      status: 'completed',
    });
    expect(write.statusCode, write.body).toBe(200);
    const [after] = await myList(student);
    expect(after).toMatchObject({ progressPercent: 50, nextLesson: { id: lessons[1]!.id } });
    // A report without completion moves the last access (and so this page's order and cursor).
    const before = (await call('GET', '/me/enrollments', student)).body;
    await call('PUT', `/me/lessons/${lessons[1]!.id}/progress`, student, { positionSeconds: 3 });
    expect((await call('GET', '/me/enrollments', student)).body).not.toBe(before);
  });

  it('a drop ends the course view and shows in my enrollments at once', async () => {
    const { course, enrollment, student } = await enrolledLearner('Dropped at once');
    expect((await call('GET', `/me/courses/${course.id}`, student)).statusCode).toBe(200);
    expect((await myList(student))[0]).toMatchObject({ status: 'active' });
    const dropped = await call('POST', `/enrollments/${enrollment.id}/drop`, student);
    expect(dropped.statusCode, dropped.body).toBe(200);
    const view = await call('GET', `/me/courses/${course.id}`, student);
    expect(view.statusCode, view.body).toBe(403);
    expect(view.json().code).toBe('not_enrolled');
    expect((await myList(student))[0]).toMatchObject({ status: 'dropped' });
  });

  it('re-enrolling after a drop opens the course view again at once', async () => {
    const { course, enrollment, student } = await enrolledLearner('Back again');
    await call('POST', `/enrollments/${enrollment.id}/drop`, student);
    expect((await call('GET', `/me/courses/${course.id}`, student)).statusCode).toBe(403);
    const enrol = await call('POST', `/courses/${course.id}/enrollments`, student, {});
    expect([200, 201], enrol.body).toContain(enrol.statusCode);
    expect((await call('GET', `/me/courses/${course.id}`, student)).statusCode).toBe(200);
    expect((await myList(student))[0]).toMatchObject({ status: 'active' });
  });

  it('a course renamed by its instructor shows in every learner’s list at once', async () => {
    const { course, student } = await enrolledLearner('Old title');
    expect((await myList(student))[0]!.course.title).toBe('Old title');
    const rename = await suite.app.inject({
      method: 'PATCH',
      url: `/api/v1/courses/${course.id}`,
      headers: { ...instructor.headers, 'if-match': '"1"' },
      payload: { title: 'New title' },
    });
    expect(rename.statusCode, rename.body).toBe(200);
    expect((await myList(student))[0]!.course.title).toBe('New title');
  });

  it('a page is one learner’s: another learner never gets it', async () => {
    const first = await enrolledLearner('Mine only');
    const other = await insertSignedInUser(suite.testApp);
    expect(await myList(first.student)).toHaveLength(1);
    const theirs = await call('GET', '/me/enrollments', other);
    expect(theirs.json().data).toEqual([]);
    expect(theirs.body).not.toContain('Mine only');
  });
});
