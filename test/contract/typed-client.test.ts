import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertUser, type TestUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * The generated typed client, as a front-end developer would use it: types generated with
 * openapi-typescript from the document the running server serves, a small openapi-fetch client
 * (client/client-usage.ts) type-checked against them, then run against that server.
 */

const CLIENT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client');
const GENERATED_TYPES = path.join(CLIENT_DIR, 'generated', 'api.d.ts');

/**
 * What client-usage.ts exports, stated here: importing its type would make the repository's own
 * type-check depend on the generated file, which exists only once this test has run.
 */
interface ClientUsage {
  signInListAndCreate(
    baseUrl: string,
    credentials: { email: string; password: string },
  ): Promise<{
    catalogTitles: string[];
    nextCursor: string | null | undefined;
    course: { id: string; slug: string; status: string };
    etag: string | null;
  }>;
}

function typeErrorsOfClient(): string[] {
  const configPath = path.join(CLIENT_DIR, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${path.relative(CLIENT_DIR, diagnostic.file.fileName)}:${line + 1}: ${message}`;
  });
}

describe('a typed client generated from /openapi.json', () => {
  const suite = useTestApp();
  let baseUrl: string;
  let instructor: TestUser;

  beforeAll(async () => {
    instructor = await insertUser(suite.db, { role: 'instructor' });
    await suite.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(suite.app.server.address() as AddressInfo).port}`;

    const document = await (await fetch(`${baseUrl}/openapi.json`)).json();
    const types = astToString(await openapiTS(document));
    mkdirSync(path.dirname(GENERATED_TYPES), { recursive: true });
    writeFileSync(GENERATED_TYPES, types);
  });

  it('type-checks the client file against the generated types (and still refuses the misuses)', () => {
    expect(typeErrorsOfClient()).toEqual([]);
  });

  it('signs in, lists the catalog and creates a course through the client', async () => {
    const usage = (await import(pathToFileURL(path.join(CLIENT_DIR, 'client-usage.ts')).href)) as ClientUsage;
    const result = await usage.signInListAndCreate(baseUrl, instructor);

    expect(result.catalogTitles).toEqual([]);
    expect(result.nextCursor).toBeNull();
    expect(result.course).toMatchObject({ slug: 'typed-client-course', status: 'draft' });
    expect(result.etag).toBe('"1"');
    const stored = await suite.testApp.database.pool.query(
      'SELECT instructor_id FROM courses WHERE id = $1',
      [result.course.id],
    );
    expect(stored.rows).toEqual([{ instructor_id: instructor.id }]);
  });
});
