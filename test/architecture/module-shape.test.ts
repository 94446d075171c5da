import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingModuleFiles, pluginExportName } from './module-shape.js';

const modulesDir = fileURLToPath(new URL('../../src/modules', import.meta.url));
const features = readdirSync(modulesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('every feature module', () => {
  it('is found (a listing that finds nothing would pass every check)', () => {
    expect(features).toEqual(expect.arrayContaining(['auth', 'catalog', 'courses', 'health', 'users']));
  });

  it.each(features)('%s has <feature>.module.ts, .routes.ts, .schemas.ts and .service.ts', (feature) => {
    expect(missingModuleFiles(feature, readdirSync(`${modulesDir}/${feature}`))).toEqual([]);
  });

  it.each(features)('%s exports its plugin from the module file and from index.ts', async (feature) => {
    const name = pluginExportName(feature);
    const moduleFile: Record<string, unknown> = await import(`${modulesDir}/${feature}/${feature}.module.ts`);
    const publicSurface: Record<string, unknown> = await import(`${modulesDir}/${feature}/index.ts`);
    const plugin = moduleFile[name];
    // A Fastify plugin: a function of (instance, options) that returns a promise.
    expect(typeof plugin, `${feature}.module.ts exports ${name}`).toBe('function');
    expect((plugin as (...args: unknown[]) => unknown).length).toBe(2);
    expect(Object.prototype.toString.call(plugin)).toBe('[object AsyncFunction]');
    expect(publicSurface[name], `index.ts re-exports ${name}`).toBe(plugin);
  });
});

describe('the shape check', () => {
  it('names each required file a module lacks', () => {
    expect(missingModuleFiles('grades', ['grades.module.ts', 'grades.routes.ts', 'index.ts'])).toEqual([
      'grades/grades.schemas.ts',
      'grades/grades.service.ts',
    ]);
    expect(
      missingModuleFiles('grades', ['grades.routes.ts', 'grades.schemas.ts', 'grades.service.ts']),
    ).toEqual(['grades/grades.module.ts']);
  });

  it('accepts a complete module, with or without a queries file', () => {
    const shape = ['grades.module.ts', 'grades.routes.ts', 'grades.schemas.ts', 'grades.service.ts'];
    expect(missingModuleFiles('grades', shape)).toEqual([]);
    expect(missingModuleFiles('grades', [...shape, 'grades.queries.ts', 'index.ts'])).toEqual([]);
  });

  it('expects the plugin under the camel-cased folder name', () => {
    expect(pluginExportName('users')).toBe('usersModule');
    expect(pluginExportName('learning-path')).toBe('learningPathModule');
  });
});
