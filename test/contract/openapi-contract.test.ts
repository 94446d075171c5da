import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../scripts/openapi-document.js';
import { projectRoot } from '../../src/config.js';

/**
 * The API contract as client developers meet it, checked on the document the app serves (built the
 * way `npm run lint:api` builds it): Redocly's lint with the repository's redocly.yaml, stable
 * operation ids, declared security and problem+json error responses on every operation.
 */

/**
 * Every operationId, sorted. Generated clients name their methods after these: renaming or removing
 * one breaks every client, so it must show up here, in review. Add new operations; never rename.
 */
const OPERATION_IDS = [
  'addQuizQuestion',
  'archiveCourse',
  'bulkEnrollInCourse',
  'changePassword',
  'changeUserRole',
  'confirmPasswordReset',
  'createAssignment',
  'createCourse',
  'createCourseLesson',
  'createCourseModule',
  'createQuiz',
  'deactivateUser',
  'deleteAssignment',
  'deleteAssignmentRubric',
  'deleteCourse',
  'deleteCourseLesson',
  'deleteCourseModule',
  'deleteMyCalendarFeed',
  'deleteQuiz',
  'deleteQuizQuestion',
  'downloadAssignmentSubmissionFile',
  'downloadCertificatePdf',
  'dropEnrollment',
  'enrollInCourse',
  'getAssignment',
  'getAssignmentRubric',
  'getAssignmentSubmission',
  'getAssignmentSubmissionGradeHistory',
  'getBulkOperation',
  'getCertificate',
  'getCertificateSigningKeys',
  'getCourse',
  'getCourseAuthoringView',
  'getCourseGradebook',
  'getCourseLesson',
  'getCoursePrerequisites',
  'getEnrollment',
  'getJob',
  'getLiveness',
  'getMe',
  'getMetrics',
  'getMyCalendarFeed',
  'getMyCourse',
  'getMyCourseGrades',
  'getMyProfile',
  'getPublicProfile',
  'getQuiz',
  'getQuizAttempt',
  'getQuizStatistics',
  'getReadiness',
  'getUser',
  'gradeAssignmentSubmission',
  'gradeQuizAttempt',
  'listAssignmentSubmissions',
  'listCourseAssignments',
  'listCourseQuizzes',
  'listCourseRoster',
  'listCourses',
  'listInstructorCourses',
  'listJobs',
  'listMyCertificates',
  'listMyEnrollments',
  'listMyNotifications',
  'listQuizAttempts',
  'listUsers',
  'markAllMyNotificationsRead',
  'markMyNotificationRead',
  'publishAssignment',
  'publishCourse',
  'publishQuiz',
  'reactivateUser',
  'refreshAccessToken',
  'registerAccount',
  'releaseAssignmentDraftGrades',
  'reorderCourseModules',
  'reorderModuleLessons',
  'reorderQuizQuestions',
  'replaceAssignmentRubric',
  'replaceCoursePrerequisites',
  'requestPasswordReset',
  'retryJob',
  'revokeCertificate',
  'rotateMyCalendarFeed',
  'saveQuizAnswers',
  'signIn',
  'signOut',
  'signOutEverywhere',
  'startQuizAttempt',
  'submitAssignment',
  'submitQuizAttempt',
  'unpublishAssignment',
  'unpublishCourse',
  'unpublishQuiz',
  'updateAssignment',
  'updateCourse',
  'updateCourseLesson',
  'updateCourseModule',
  'updateMe',
  'updateMyLessonProgress',
  'updateMyProfile',
  'updateQuiz',
  'updateQuizQuestion',
  'verifyCertificate',
];

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

interface OperationObject {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApiDocument {
  info: { description?: string };
  paths: Record<string, Record<string, OperationObject>>;
}

describe('the OpenAPI contract', () => {
  let document: OpenApiDocument;
  let operations: Array<{ key: string; operation: OperationObject }>;
  let workDir: string;

  beforeAll(async () => {
    document = (await buildOpenApiDocument()) as OpenApiDocument;
    operations = Object.entries(document.paths).flatMap(([route, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.has(method))
        .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${route}`, operation })),
    );
    workDir = mkdtempSync(path.join(tmpdir(), 'openapi-lint-'));
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('passes redocly lint (redocly.yaml: recommended-strict) with no problem at all', async () => {
    const file = path.join(workDir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const redocly = path.join(projectRoot, 'node_modules', '.bin', 'redocly');
    const lint = promisify(execFile)(
      redocly,
      ['lint', file, '--config', path.join(projectRoot, 'redocly.yaml'), '--format', 'summary'],
      { cwd: projectRoot, env: { ...process.env, REDOCLY_TELEMETRY: 'off', NO_COLOR: '1' } },
    );
    const { stdout, stderr } = await lint.catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`redocly lint failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(`${stdout}${stderr}`).toMatch(/Your API description is valid/);
    // recommended-strict makes every warning an error (exit code 1); this guards a later `warn` rule.
    expect(`${stdout}${stderr}`).not.toMatch(/You have \d+ warnings?/);
  }, 60_000);

  it('names every operation with the operationIds clients already use', () => {
    const missing = operations.filter(({ operation }) => !operation.operationId).map(({ key }) => key);
    expect(missing, 'operations without an operationId').toEqual([]);
    expect(operations.map(({ operation }) => operation.operationId).sort()).toEqual(OPERATION_IDS);
  });

  it('declares the security of every operation: the bearer scheme, optional bearer, or none ([])', () => {
    const undeclared = operations.filter(({ operation }) => !Array.isArray(operation.security));
    expect(
      undeclared.map(({ key }) => key),
      'operations without `security`',
    ).toEqual([]);
    for (const { key, operation } of operations) {
      for (const requirement of operation.security ?? []) {
        expect(
          Object.keys(requirement).every((scheme) => scheme === 'bearerAuth'),
          key,
        ).toBe(true);
      }
    }
  });

  it('declares error responses on every operation, each as problem+json with the shared schema', () => {
    for (const { key, operation } of operations) {
      const errors = Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status));
      expect(
        errors.some(([status]) => status.startsWith('4')),
        `${key} declares no 4xx`,
      ).toBe(true);
      for (const [status, response] of errors) {
        expect(
          response.content?.['application/problem+json']?.schema?.$ref,
          `${key} ${status} is not problem+json`,
        ).toBe('#/components/schemas/Problem');
      }
      // Every route is behind the global rate limit.
      expect(Object.keys(operation.responses), key).toContain('429');
    }
  });

  it('describes only what exists: no promise of areas without routes', () => {
    expect(document.info.description).not.toMatch(/enrolments|assessments|communication|payments|analytics/);
  });
});
