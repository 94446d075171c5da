import { describe, expect, it } from 'vitest';
import { api } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * The full application: authoring writes go through the same catalog cache instance the public
 * catalog reads from, so a cached catalog response never outlives the write that changed it.
 */
describe('authoring and the public catalog share one cache', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;

  const catalogDetail = (idOrSlug: string) =>
    suite.app.inject({ method: 'GET', url: `/api/v1/courses/${idOrSlug}` });
  const catalogList = async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/api/v1/courses?limit=100' });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data as { id: string; title: string }[]).map((item) => item.title);
  };
  const write = (method: 'POST' | 'PATCH' | 'PUT', url: string, payload?: object, headers = {}) =>
    suite.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...instructor.headers, ...headers },
      payload,
    });

  it('shows a course once published, reflects every edit immediately and hides it when archived', async () => {
    const course = await api.createCourse(suite.app, instructor, { title: 'Cached Catalog Course' });
    const first = await api.addModule(suite.app, instructor, course.id, { title: 'First module' });
    await api.addLesson(suite.app, instructor, course.id, first.id);

    expect((await catalogDetail(course.slug)).statusCode).toBe(404);
    expect(await catalogList()).not.toContain('Cached Catalog Course');

    const published = await write('POST', `/courses/${course.id}/publish`);
    expect(published.statusCode).toBe(200);
    // Read twice: the second answer comes from the cache the next write must invalidate.
    for (let i = 0; i < 2; i++) {
      const detail = await catalogDetail(course.slug);
      expect(detail.statusCode, detail.body).toBe(200);
      expect(detail.json().title).toBe('Cached Catalog Course');
      expect(await catalogList()).toContain('Cached Catalog Course');
    }

    const renamed = await write(
      'PATCH',
      `/courses/${course.id}`,
      { title: 'Renamed Catalog Course' },
      { 'if-match': `"${published.json().version}"` },
    );
    expect(renamed.statusCode).toBe(200);
    expect((await catalogDetail(course.slug)).json().title).toBe('Renamed Catalog Course');
    expect(await catalogList()).toContain('Renamed Catalog Course');

    const second = await api.addModule(suite.app, instructor, course.id, {
      title: 'Second module',
      position: 0,
    });
    const outline = (await catalogDetail(course.id)).json();
    expect(JSON.stringify(outline)).toContain('Second module');

    const reordered = await write('PUT', `/courses/${course.id}/modules/order`, {
      moduleIds: [first.id, second.id],
    });
    expect(reordered.statusCode).toBe(200);
    const afterReorder = JSON.stringify((await catalogDetail(course.id)).json());
    expect(afterReorder.indexOf('First module')).toBeLessThan(afterReorder.indexOf('Second module'));

    expect((await write('POST', `/courses/${course.id}/archive`)).statusCode).toBe(200);
    expect((await catalogDetail(course.slug)).statusCode).toBe(404);
    expect(await catalogList()).not.toContain('Renamed Catalog Course');
  });
});
