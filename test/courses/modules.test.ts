import { describe, expect, it } from 'vitest';
import { courseModules } from '../../src/infrastructure/database/schema/index.js';
import { api, countRows, courseRow, modulePositions, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('course authoring: modules', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;

  const db = () => suite.db;

  async function courseWithModules(count: number) {
    const course = await api.createCourse(suite.app, instructor);
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push((await api.addModule(suite.app, instructor, course.id, { title: `M${i}` })).id);
    return { course, ids };
  }

  /** `null`: anonymous. */
  const reorder = (courseId: string, moduleIds: string[], author: SignedInUser | null = instructor) =>
    suite.app.inject({
      method: 'PUT',
      url: `/api/v1/courses/${courseId}/modules/order`,
      headers: author?.headers ?? {},
      payload: { moduleIds },
    });

  describe('POST /courses/:id/modules', () => {
    it('appends at the end, bumping the course version each time', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const first = await api.addModule(suite.app, instructor, course.id, {
        title: '  Basics ',
        description: '  ',
      });
      const second = await api.addModule(suite.app, instructor, course.id);
      expect(first).toMatchObject({ title: 'Basics', description: null, position: 0, courseVersion: 2 });
      expect(second).toMatchObject({ position: 1, courseVersion: 3 });
      expect((await courseRow(db(), course.id))?.version).toBe(3);
    });

    it('inserts at a position and shifts the following modules', async () => {
      const { course, ids } = await courseWithModules(3);
      const inserted = await api.addModule(suite.app, instructor, course.id, {
        title: 'Inserted',
        position: 1,
      });
      expect(inserted.position).toBe(1);
      const positions = await modulePositions(db(), course.id);
      expect(positions).toEqual([
        { id: ids[0], position: 0 },
        { id: inserted.id, position: 1 },
        { id: ids[1], position: 2 },
        { id: ids[2], position: 3 },
      ]);
      const atStart = await api.addModule(suite.app, instructor, course.id, { position: 0 });
      expect((await modulePositions(db(), course.id)).map((row) => row.id)).toEqual([
        atStart.id,
        ids[0],
        inserted.id,
        ids[1],
        ids[2],
      ]);
    });

    it('rejects a position past the end and bad fields (400), writing nothing', async () => {
      const { course } = await courseWithModules(2);
      const before = await countRows(db(), courseModules);
      const pastEnd = await suite.app.inject({
        method: 'POST',
        url: `/api/v1/courses/${course.id}/modules`,
        headers: instructor.headers,
        payload: { title: 'Too far', position: 3 },
      });
      expect(pastEnd.statusCode).toBe(400);
      expect(pastEnd.json().errors).toEqual([
        { field: '/body/position', message: 'must be between 0 and 2' },
      ]);
      const bad = await suite.app.inject({
        method: 'POST',
        url: `/api/v1/courses/${course.id}/modules`,
        headers: instructor.headers,
        payload: { title: ' ', position: -1, description: { text: 'not a string' } },
      });
      expect(bad.statusCode).toBe(400);
      const fields = new Set(bad.json().errors.map((error: { field: string }) => error.field));
      expect([...fields].sort()).toEqual(['/body/description', '/body/position', '/body/title']);
      expect(await countRows(db(), courseModules)).toBe(before);
      expect((await courseRow(db(), course.id))?.version).toBe(3);
    });

    it('is 404 on another instructor’s draft, 403 on their published course, 403 for students, 401 anonymously', async () => {
      const draft = await api.createCourse(suite.app, instructor);
      const { course: published } = await api.createPublishedCourse(suite.app, instructor);
      const add = (courseId: string, author?: SignedInUser) =>
        suite.app.inject({
          method: 'POST',
          url: `/api/v1/courses/${courseId}/modules`,
          headers: author?.headers ?? {},
          payload: { title: 'Intruder' },
        });
      expect((await add(draft.id, otherInstructor)).statusCode).toBe(404);
      expect((await add(published.id, otherInstructor)).statusCode).toBe(403);
      expect((await add(draft.id, student)).statusCode).toBe(403);
      expect((await add(draft.id)).statusCode).toBe(401);
      expect(await modulePositions(db(), draft.id)).toEqual([]);
      expect((await add(draft.id, admin)).statusCode).toBe(201);
    });
  });

  describe('PATCH and DELETE /courses/:id/modules/:moduleId', () => {
    it('edits title and description', async () => {
      const { course, ids } = await courseWithModules(1);
      const response = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}/modules/${ids[0]}`,
        headers: instructor.headers,
        payload: { title: 'Renamed', description: 'Now with a description' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        title: 'Renamed',
        description: 'Now with a description',
        courseVersion: 3,
      });
    });

    it('is 404 for a module of another course, and 400 for an empty patch', async () => {
      const { course } = await courseWithModules(1);
      const { ids: foreignIds } = await courseWithModules(1);
      const foreign = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}/modules/${foreignIds[0]}`,
        headers: instructor.headers,
        payload: { title: 'Cross-course' },
      });
      expect(foreign.statusCode).toBe(404);
      const empty = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}/modules/${foreignIds[0]}`,
        headers: instructor.headers,
        payload: {},
      });
      expect(empty.statusCode).toBe(400);
    });

    it('deletes a module with its lessons and renumbers the rest', async () => {
      const { course, ids } = await courseWithModules(4);
      await api.addLesson(suite.app, instructor, course.id, ids[1] as string);
      const response = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}/modules/${ids[1]}`,
        headers: instructor.headers,
      });
      expect(response.statusCode).toBe(204);
      expect(await modulePositions(db(), course.id)).toEqual([
        { id: ids[0], position: 0 },
        { id: ids[2], position: 1 },
        { id: ids[3], position: 2 },
      ]);
      const again = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}/modules/${ids[1]}`,
        headers: instructor.headers,
      });
      expect(again.statusCode).toBe(404);
    });

    it('refuses other instructors, students and anonymous callers', async () => {
      const { course, ids } = await courseWithModules(1);
      for (const [author, status] of [
        [otherInstructor, 404],
        [student, 403],
        [undefined, 401],
      ] as const) {
        const response = await suite.app.inject({
          method: 'DELETE',
          url: `/api/v1/courses/${course.id}/modules/${ids[0]}`,
          headers: author?.headers ?? {},
        });
        expect(response.statusCode).toBe(status);
      }
      expect(await modulePositions(db(), course.id)).toHaveLength(1);
    });
  });

  describe('PUT /courses/:id/modules/order', () => {
    it('applies a permutation and returns the new order', async () => {
      const { course, ids } = await courseWithModules(5);
      const order = [ids[3], ids[0], ids[4], ids[2], ids[1]] as string[];
      const response = await reorder(course.id, order);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.modules.map((m: { id: string; position: number }) => [m.id, m.position])).toEqual(
        order.map((id, position) => [id, position]),
      );
      expect(body.courseVersion).toBe(7);
      expect(await modulePositions(db(), course.id)).toEqual(order.map((id, position) => ({ id, position })));
    });

    it('accepts the current order as a no-op that still succeeds', async () => {
      const { course, ids } = await courseWithModules(3);
      const response = await reorder(course.id, ids);
      expect(response.statusCode).toBe(200);
      expect(await modulePositions(db(), course.id)).toEqual(ids.map((id, position) => ({ id, position })));
    });

    it('requires every module exactly once: duplicates are 400, missing or unknown ids are 409 listing them', async () => {
      const { course, ids } = await courseWithModules(3);
      const { ids: foreign } = await courseWithModules(1);
      const [a, b, c] = ids as [string, string, string];

      const duplicate = await reorder(course.id, [a, a, b]);
      expect(duplicate.statusCode).toBe(400);
      expect(duplicate.json().errors[0].field).toBe('/body/moduleIds');

      const missing = await reorder(course.id, [c, a]);
      expect(missing.statusCode).toBe(409);
      expect(missing.json()).toMatchObject({ missing: [b], unknown: [] });
      expect(missing.json().errors).toEqual([
        { field: '/body/moduleIds', message: `must include module ${b}` },
      ]);

      const extra = await reorder(course.id, [c, b, a, foreign[0] as string]);
      expect(extra.statusCode).toBe(409);
      expect(extra.json()).toMatchObject({ missing: [], unknown: [foreign[0]] });

      const notUuid = await reorder(course.id, [a, b, 'nope']);
      expect(notUuid.statusCode).toBe(400);
      expect(notUuid.json().errors[0].field).toBe('/body/moduleIds/2');

      expect(await modulePositions(db(), course.id)).toEqual(ids.map((id, position) => ({ id, position })));
      expect((await courseRow(db(), course.id))?.version).toBe(4);
    });

    it('is 404 on another instructor’s draft, 403 for students, 401 anonymously; admins may reorder', async () => {
      const { course, ids } = await courseWithModules(2);
      const reversed = [...ids].reverse();
      expect((await reorder(course.id, reversed, otherInstructor)).statusCode).toBe(404);
      expect((await reorder(course.id, reversed, student)).statusCode).toBe(403);
      expect((await reorder(course.id, reversed, null)).statusCode).toBe(401);
      expect((await modulePositions(db(), course.id)).map((row) => row.id)).toEqual(ids);
      expect((await reorder(course.id, reversed, admin)).statusCode).toBe(200);
      expect((await modulePositions(db(), course.id)).map((row) => row.id)).toEqual(reversed);
    });

    it('is 412 with a stale If-Match', async () => {
      const { course, ids } = await courseWithModules(2);
      const response = await suite.app.inject({
        method: 'PUT',
        url: `/api/v1/courses/${course.id}/modules/order`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: { moduleIds: [...ids].reverse() },
      });
      expect(response.statusCode).toBe(412);
      expect((await modulePositions(db(), course.id)).map((row) => row.id)).toEqual(ids);
    });
  });
});
