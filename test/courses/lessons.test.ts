import { beforeAll, describe, expect, it } from 'vitest';
import { lessons } from '../../src/infrastructure/database/schema/index.js';
import {
  api,
  countRows,
  courseRow,
  insertAssignment,
  insertQuiz,
  lessonPositions,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();
const anHourAgo = () => new Date(Date.now() - 3600_000).toISOString();

describe('course authoring: lessons', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;
  let courseId: string;
  let moduleId: string;
  let quizId: string;
  let assignmentId: string;
  let foreignQuizId: string;

  beforeAll(async () => {
    courseId = (await api.createCourse(suite.app, instructor)).id;
    moduleId = (await api.addModule(suite.app, instructor, courseId)).id;
    quizId = await insertQuiz(suite.db, courseId);
    assignmentId = await insertAssignment(suite.db, courseId);
    const otherCourse = await api.createCourse(suite.app, otherInstructor);
    foreignQuizId = await insertQuiz(suite.db, otherCourse.id);
  });

  const db = () => suite.db;
  const post = (payload: Record<string, unknown>, author: SignedInUser = instructor, target = moduleId) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/courses/${courseId}/modules/${target}/lessons`,
      headers: author.headers,
      payload,
    });
  const fieldsOf = (response: { json(): unknown }) =>
    [
      ...new Set(((response.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field)),
    ].sort();

  describe('type-specific validation on create', () => {
    const valid: Record<string, Record<string, unknown>> = {
      video: {
        videoUrl: 'https://videos.example.com/intro.mp4',
        durationSeconds: 300,
        content: { transcript: 'Hi' },
      },
      text: { content: { body: '# Hello\n\nMarkdown body.' } },
      live_session: {
        durationSeconds: 3600,
        content: { startsAt: inOneHour(), joinUrl: 'https://meet.example.com/x' },
      },
      download: {
        content: {
          files: [{ name: 'slides.pdf', url: 'https://cdn.example.com/slides.pdf', sizeBytes: 123456 }],
        },
      },
    };

    for (const [type, fields] of Object.entries(valid)) {
      it(`creates a valid ${type} lesson`, async () => {
        const response = await post({ title: `A ${type} lesson`, type, ...fields });
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ type, courseId, moduleId });
      });
    }

    it('creates quiz and assignment lessons linked to this course’s quiz and assignment', async () => {
      const quiz = await post({ title: 'Quiz', type: 'quiz', content: { quizId: quizId.toUpperCase() } });
      expect(quiz.statusCode, quiz.body).toBe(201);
      expect(quiz.json().content).toEqual({ quizId });
      const assignment = await post({ title: 'Homework', type: 'assignment', content: { assignmentId } });
      expect(assignment.statusCode, assignment.body).toBe(201);
    });

    const invalid: [string, Record<string, unknown>, string[]][] = [
      ['video without url and duration', { type: 'video' }, ['/body/durationSeconds', '/body/videoUrl']],
      [
        'video with an http url and a too-long duration',
        { type: 'video', videoUrl: 'http://videos.example.com/a.mp4', durationSeconds: 86_401 },
        ['/body/durationSeconds', '/body/videoUrl'],
      ],
      [
        'video with unknown content',
        {
          type: 'video',
          videoUrl: 'https://v.example.com/a.mp4',
          durationSeconds: 10,
          content: { body: 'x' },
        },
        ['/body/content/body'],
      ],
      ['text without body', { type: 'text', content: {} }, ['/body/content/body']],
      ['text with a blank body', { type: 'text', content: { body: '   ' } }, ['/body/content/body']],
      [
        'text with a too-long body',
        { type: 'text', content: { body: 'x'.repeat(100_001) } },
        ['/body/content/body'],
      ],
      [
        'text with a video url',
        { type: 'text', content: { body: 'ok' }, videoUrl: 'https://v.example.com/a.mp4' },
        ['/body/videoUrl'],
      ],
      ['quiz with a malformed id', { type: 'quiz', content: { quizId: 'nope' } }, ['/body/content/quizId']],
      ['quiz of another course', { type: 'quiz', content: { quizId: 'FOREIGN' } }, ['/body/content/quizId']],
      [
        'quiz that does not exist',
        { type: 'quiz', content: { quizId: '00000000-0000-4000-8000-000000000000' } },
        ['/body/content/quizId'],
      ],
      [
        'assignment id that is a quiz id',
        { type: 'assignment', content: { assignmentId: 'QUIZ' } },
        ['/body/content/assignmentId'],
      ],
      [
        'live session in the past with an http join url and no duration',
        { type: 'live_session', content: { startsAt: anHourAgo(), joinUrl: 'http://meet.example.com/x' } },
        ['/body/content/joinUrl', '/body/durationSeconds'],
      ],
      [
        'live session in the past',
        {
          type: 'live_session',
          durationSeconds: 60,
          content: { startsAt: anHourAgo(), joinUrl: 'https://m.example.com' },
        },
        ['/body/content/startsAt'],
      ],
      [
        'live session with a date that is not a date',
        {
          type: 'live_session',
          durationSeconds: 60,
          content: { startsAt: 'tomorrow', joinUrl: 'https://m.example.com' },
        },
        ['/body/content/startsAt'],
      ],
      ['download without files', { type: 'download', content: { files: [] } }, ['/body/content/files']],
      [
        'download with bad file entries',
        {
          type: 'download',
          content: {
            files: [
              { name: '', url: 'ftp://x', sizeBytes: 0 },
              { name: 'ok.pdf', url: 'https://cdn.example.com/ok.pdf' },
            ],
          },
        },
        [
          '/body/content/files/0/name',
          '/body/content/files/0/sizeBytes',
          '/body/content/files/0/url',
          '/body/content/files/1/sizeBytes',
        ],
      ],
      [
        'download with 21 files',
        {
          type: 'download',
          content: {
            files: Array.from({ length: 21 }, (_, i) => ({
              name: `f${i}`,
              url: 'https://x.example.com/f',
              sizeBytes: 1,
            })),
          },
        },
        ['/body/content/files'],
      ],
      ['an unknown type', { type: 'podcast' }, ['/body/type']],
    ];

    for (const [name, payload, fields] of invalid) {
      it(`rejects ${name} (400 listing ${fields.join(', ')}) and writes nothing`, async () => {
        const resolved = JSON.parse(
          JSON.stringify(payload).replace('FOREIGN', foreignQuizId).replace('"QUIZ"', `"${quizId}"`),
        );
        const before = await countRows(db(), lessons);
        const version = (await courseRow(db(), courseId))?.version;
        const response = await post({ title: 'Invalid', ...resolved });
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().code).toBe('validation_failed');
        expect(fieldsOf(response)).toEqual(fields);
        expect(await countRows(db(), lessons)).toBe(before);
        expect((await courseRow(db(), courseId))?.version).toBe(version);
      });
    }
  });

  describe('positions', () => {
    it('appends, inserts with a shift, and rejects positions past the end', async () => {
      const module = await api.addModule(suite.app, instructor, courseId);
      const a = await api.addLesson(suite.app, instructor, courseId, module.id, { title: 'a' });
      const c = await api.addLesson(suite.app, instructor, courseId, module.id, { title: 'c' });
      const b = await api.addLesson(suite.app, instructor, courseId, module.id, { title: 'b', position: 1 });
      expect(b.position).toBe(1);
      expect((await lessonPositions(db(), module.id)).map((row) => row.id)).toEqual([a.id, b.id, c.id]);
      const tooFar = await post(
        { title: 'far', type: 'text', content: { body: 'x' }, position: 4 },
        instructor,
        module.id,
      );
      expect(tooFar.statusCode).toBe(400);
      expect(fieldsOf(tooFar)).toEqual(['/body/position']);
    });

    it('reorders the lessons of a module (permutation required)', async () => {
      const module = await api.addModule(suite.app, instructor, courseId);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++)
        ids.push((await api.addLesson(suite.app, instructor, courseId, module.id)).id);
      const order = [ids[2], ids[0], ids[3], ids[1]] as string[];
      const url = `/api/v1/courses/${courseId}/modules/${module.id}/lessons/order`;
      const ok = await suite.app.inject({
        method: 'PUT',
        url,
        headers: instructor.headers,
        payload: { lessonIds: order },
      });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().lessons.map((l: { id: string }) => l.id)).toEqual(order);
      expect(await lessonPositions(db(), module.id)).toEqual(order.map((id, position) => ({ id, position })));

      const missing = await suite.app.inject({
        method: 'PUT',
        url,
        headers: instructor.headers,
        payload: { lessonIds: order.slice(1) },
      });
      expect(missing.statusCode).toBe(409);
      expect(missing.json().missing).toEqual([order[0]]);
      const duplicate = await suite.app.inject({
        method: 'PUT',
        url,
        headers: instructor.headers,
        payload: { lessonIds: [...order.slice(1), order[1]] },
      });
      expect(duplicate.statusCode).toBe(400);
      expect(await lessonPositions(db(), module.id)).toEqual(order.map((id, position) => ({ id, position })));
    });

    it('deletes a lesson and closes the gap', async () => {
      const module = await api.addModule(suite.app, instructor, courseId);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await api.addLesson(suite.app, instructor, courseId, module.id)).id);
      const response = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${courseId}/lessons/${ids[0]}`,
        headers: instructor.headers,
      });
      expect(response.statusCode).toBe(204);
      expect(await lessonPositions(db(), module.id)).toEqual([
        { id: ids[1], position: 0 },
        { id: ids[2], position: 1 },
      ]);
    });
  });

  describe('PATCH /courses/:id/lessons/:lessonId', () => {
    const patch = (lessonId: string, payload: Record<string, unknown>, author: SignedInUser = instructor) =>
      suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${courseId}/lessons/${lessonId}`,
        headers: author.headers,
        payload,
      });

    it('edits fields, keeps the type-specific fields it was not sent, validates the ones it was', async () => {
      const lesson = await api.addLesson(suite.app, instructor, courseId, moduleId, {
        type: 'video',
        videoUrl: 'https://v.example.com/1.mp4',
        durationSeconds: 60,
        content: {},
      });
      const renamed = await patch(lesson.id, { title: 'Renamed', isPreview: true });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toMatchObject({
        title: 'Renamed',
        isPreview: true,
        videoUrl: 'https://v.example.com/1.mp4',
      });
      const bad = await patch(lesson.id, { durationSeconds: 0 });
      expect(bad.statusCode).toBe(400);
      expect(fieldsOf(bad)).toEqual(['/body/durationSeconds']);
    });

    it('changing the type requires the new type’s fields and drops the old ones', async () => {
      const lesson = await api.addLesson(suite.app, instructor, courseId, moduleId, {
        type: 'video',
        videoUrl: 'https://v.example.com/2.mp4',
        durationSeconds: 60,
        content: {},
      });
      const incomplete = await patch(lesson.id, { type: 'text' });
      expect(incomplete.statusCode).toBe(400);
      expect(fieldsOf(incomplete)).toEqual(['/body/content/body']);
      const toText = await patch(lesson.id, { type: 'text', content: { body: 'Now text' } });
      expect(toText.statusCode, toText.body).toBe(200);
      expect(toText.json()).toMatchObject({
        type: 'text',
        videoUrl: null,
        durationSeconds: 0,
        content: { body: 'Now text' },
      });
    });

    it('lets a past live session be renamed but not moved into the past', async () => {
      const lesson = await api.addLesson(suite.app, instructor, courseId, moduleId, {
        type: 'live_session',
        durationSeconds: 600,
        content: { startsAt: inOneHour(), joinUrl: 'https://meet.example.com/a' },
      });
      // The session happened: simulate by moving its stored start into the past.
      await suite.testApp.database.pool.query(
        `UPDATE lessons SET content = jsonb_set(content, '{startsAt}', to_jsonb($2::text)) WHERE id = $1`,
        [lesson.id, anHourAgo()],
      );
      const stored = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${courseId}/authoring`,
        headers: instructor.headers,
      });
      const storedContent = stored
        .json()
        .modules.flatMap((m: { lessons: { id: string; content: unknown }[] }) => m.lessons)
        .find((l: { id: string }) => l.id === lesson.id).content;
      expect((await patch(lesson.id, { title: 'Recording available' })).statusCode).toBe(200);
      expect((await patch(lesson.id, { content: storedContent })).statusCode).toBe(200);
      const movedBack = await patch(lesson.id, {
        content: {
          startsAt: new Date(Date.now() - 7200_000).toISOString(),
          joinUrl: 'https://meet.example.com/a',
        },
      });
      expect(movedBack.statusCode).toBe(400);
      expect(fieldsOf(movedBack)).toEqual(['/body/content/startsAt']);
    });

    it('moves a lesson to another module of the course, renumbering both modules', async () => {
      const source = await api.addModule(suite.app, instructor, courseId);
      const target = await api.addModule(suite.app, instructor, courseId);
      const s: string[] = [];
      const t: string[] = [];
      for (let i = 0; i < 3; i++)
        s.push((await api.addLesson(suite.app, instructor, courseId, source.id)).id);
      for (let i = 0; i < 2; i++)
        t.push((await api.addLesson(suite.app, instructor, courseId, target.id)).id);

      const moved = await patch(s[1] as string, { moduleId: target.id, position: 1 });
      expect(moved.statusCode, moved.body).toBe(200);
      expect(moved.json()).toMatchObject({ moduleId: target.id, position: 1 });
      expect(await lessonPositions(db(), source.id)).toEqual([
        { id: s[0], position: 0 },
        { id: s[2], position: 1 },
      ]);
      expect(await lessonPositions(db(), target.id)).toEqual([
        { id: t[0], position: 0 },
        { id: s[1], position: 1 },
        { id: t[1], position: 2 },
      ]);

      const appended = await patch(s[0] as string, { moduleId: target.id });
      expect(appended.json().position).toBe(3);
      const within = await patch(t[1] as string, { position: 0 });
      expect(within.statusCode).toBe(200);
      expect((await lessonPositions(db(), target.id)).map((row) => row.id)).toEqual([t[1], t[0], s[1], s[0]]);
      expect(await lessonPositions(db(), source.id)).toEqual([{ id: s[2], position: 0 }]);
    });

    it('refuses moving to a module of another course (400) or past the end (400)', async () => {
      const lesson = await api.addLesson(suite.app, instructor, courseId, moduleId);
      const foreignCourse = await api.createCourse(suite.app, instructor);
      const foreignModule = await api.addModule(suite.app, instructor, foreignCourse.id);
      const crossCourse = await patch(lesson.id, { moduleId: foreignModule.id });
      expect(crossCourse.statusCode).toBe(400);
      expect(fieldsOf(crossCourse)).toEqual(['/body/moduleId']);
      const tooFar = await patch(lesson.id, { position: 500 });
      expect(tooFar.statusCode).toBe(400);
      expect(fieldsOf(tooFar)).toEqual(['/body/position']);
    });

    it('is 404 for a lesson of another course and for other instructors on drafts; 403 for students', async () => {
      const lesson = await api.addLesson(suite.app, instructor, courseId, moduleId);
      const foreignCourse = await api.createCourse(suite.app, instructor);
      const wrongCourse = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${foreignCourse.id}/lessons/${lesson.id}`,
        headers: instructor.headers,
        payload: { title: 'x' },
      });
      expect(wrongCourse.statusCode).toBe(404);
      expect((await patch(lesson.id, { title: 'x' }, otherInstructor)).statusCode).toBe(404);
      expect((await patch(lesson.id, { title: 'x' }, student)).statusCode).toBe(403);
      expect((await patch(lesson.id, { title: 'By admin' }, admin)).statusCode).toBe(200);
    });
  });

  describe('security on published courses', () => {
    it('refuses other instructors (403), students (403) and anonymous callers (401) on every lesson route', async () => {
      const { course, module, lesson } = await api.createPublishedCourse(suite.app, instructor);
      const routes = [
        {
          method: 'POST',
          url: `/api/v1/courses/${course.id}/modules/${module.id}/lessons`,
          payload: { title: 'x', type: 'text', content: { body: 'x' } },
        },
        {
          method: 'PATCH',
          url: `/api/v1/courses/${course.id}/lessons/${lesson.id}`,
          payload: { title: 'x' },
        },
        { method: 'DELETE', url: `/api/v1/courses/${course.id}/lessons/${lesson.id}` },
        {
          method: 'PUT',
          url: `/api/v1/courses/${course.id}/modules/${module.id}/lessons/order`,
          payload: { lessonIds: [lesson.id] },
        },
      ] as const;
      for (const route of routes) {
        for (const [headers, status] of [
          [otherInstructor.headers, 403],
          [student.headers, 403],
          [{}, 401],
        ] as const) {
          const response = await suite.app.inject({ ...route, headers });
          expect(response.statusCode, `${route.method} ${route.url}`).toBe(status);
        }
      }
      const view = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${course.id}/authoring`,
        headers: instructor.headers,
      });
      expect(view.json().modules[0].lessons).toHaveLength(1);
      expect(view.json().version).toBe(course.version);
    });
  });
});
