import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import {
  certificateIssuerFor,
  insertCourseWithOutline,
  insertEnrollment,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/** The README's offline verification snippet: the first ```js block after its heading, run as it is. */
function readmeSnippet(): string {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('**Offline verification.**');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(start));
  if (start < 0 || !block) throw new Error('README has no offline verification snippet');
  return block[1]!;
}

describe('the README offline verification snippet', () => {
  const suite = useTestApp({ cast: ['student', 'instructor'] });
  // Inside the project, so `import 'jose'` resolves from its node_modules as it would for a user.
  const dir = path.join(projectRoot, 'node_modules', '.cache', `readme-snippet-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints who completed what for a real credential, and fails for a tampered one', async () => {
    const { student, instructor } = suite.cast;
    const course = await insertCourseWithOutline(suite.db, instructor.id, [1], { title: 'Snippet Course' });
    const enrollment = await insertEnrollment(suite.db, student.id, course.course.id, {
      status: 'completed',
      completedAt: new Date('2026-12-01T14:03:11.000Z'),
    });
    const issued = await certificateIssuerFor(suite.testApp).issue(enrollment.id);
    if (!issued.issued) throw new Error('not issued');
    const certificate = (
      await suite.app.inject({
        method: 'GET',
        url: `/api/v1/certificates/${issued.certificateId}`,
        headers: student.headers,
      })
    ).json();
    const jwks = await suite.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'verify-certificate.mjs'), readmeSnippet());
    writeFileSync(path.join(dir, 'jwks.json'), jwks.body);
    const run = (credential: string) =>
      promisify(execFile)(process.execPath, ['verify-certificate.mjs', 'jwks.json', credential], {
        cwd: dir,
      });

    const { stdout } = await run(certificate.credential);
    expect(stdout.trim()).toBe(
      `signed by key ${jwks.json().keys[0].kid}: ${student.name} completed "Snippet Course" on 2026-12-01T14:03:11.000Z`,
    );

    const [header, payload, signature] = certificate.credential.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.credentialSubject.name = 'Mallory';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await expect(run(tampered)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('signature verification failed'),
    });
  });
});
