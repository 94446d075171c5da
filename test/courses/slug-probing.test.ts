import { describe, expect, it } from 'vitest';
import { slugify } from '../../src/shared/slug.js';
import { api, courseRow, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * Slugs must not be a way to learn about other instructors' drafts, nor be able to hide a course
 * behind another course's id.
 */
describe('course slugs: no probing of drafts, no id-shaped slugs', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor'] });
  const { instructor, otherInstructor } = suite.cast;

  const patchSlug = (author: SignedInUser, courseId: string, version: number, slug: string) =>
    suite.app.inject({
      method: 'PATCH',
      url: `/api/v1/courses/${courseId}`,
      headers: { ...author.headers, 'if-match': `"${version}"` },
      payload: { slug },
    });

  it('refuses another instructor’s draft slug without saying that a course (a draft) holds it', async () => {
    const secret = await api.createCourse(suite.app, otherInstructor, {
      title: 'Unannounced secret project',
    });
    const mine = await api.createCourse(suite.app, instructor, { title: 'My own course' });
    const response = await patchSlug(instructor, mine.id, 1, secret.slug);
    expect(response.statusCode).toBe(409);
    const body = response.json() as { detail: string; errors: Array<{ field: string; message: string }> };
    expect(body.errors).toEqual([{ field: '/body/slug', message: 'is not available' }]);
    const text = JSON.stringify(body).toLowerCase();
    for (const word of ['draft', 'another course', 'used by', 'exists']) expect(text).not.toContain(word);
    expect((await courseRow(suite.db, mine.id))?.slug).toBe(mine.slug);
  });

  it('refuses a slug shaped like a course id (400), so every course stays reachable by its slug', async () => {
    const target = await api.createCourse(suite.app, otherInstructor, { title: 'Reachable by id' });
    const mine = await api.createCourse(suite.app, instructor, { title: 'Would shadow an id' });
    for (const slug of [target.id, '0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a']) {
      const response = await patchSlug(instructor, mine.id, 1, slug);
      expect(response.statusCode, slug).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: '/body/slug', message: expect.stringMatching(/UUID/) }],
      });
    }
    expect((await courseRow(suite.db, mine.id))?.slug).toBe(mine.slug);
  });

  it('never derives an id-shaped slug from a title', async () => {
    const title = '0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a';
    expect(slugify(title)).toBe(`course-${title}`);
    const course = await api.createCourse(suite.app, instructor, { title });
    expect(course.slug).toBe(`course-${title}`);
  });
});
