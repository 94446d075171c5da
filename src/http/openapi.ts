import { readFileSync } from 'node:fs';
import path from 'node:path';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { projectRoot } from '../config.js';
import { registerApiReference } from './api-reference.js';
import { documentCommonErrorResponses } from './error-responses.js';
import { quietRouteLogLevel } from './logger.js';

export const OPERATIONS_TAG = 'operations';

/** Tags shown in the reference, in this order. Feature modules add theirs here. */
export const API_TAGS = [
  { name: 'auth', description: 'Accounts, sign-in, token refresh and password reset.' },
  { name: 'users', description: 'The signed-in user, public profiles, and user administration (admin).' },
  { name: 'catalog', description: 'Public course catalog: search, filters and course outlines.' },
  {
    name: 'courses',
    description: 'Course authoring for instructors: courses, modules, lessons, publishing.',
  },
  { name: 'notifications', description: 'The signed-in user’s in-app notifications and unread count.' },
  { name: 'jobs', description: 'Background jobs for admins: failed, queued, running and scheduled; retry.' },
  {
    name: 'enrollments',
    description:
      'Enrolment in courses, my enrollments, dropping, course rosters (CSV too) and bulk enrolment by email.',
  },
  {
    name: 'gradebook',
    description: 'Course gradebooks for instructors (CSV too) and a student’s own grades in a course.',
  },
  {
    name: 'calendar',
    description: 'A personal iCalendar feed of due dates and quiz windows, with a rotatable secret link.',
  },
  { name: OPERATIONS_TAG, description: 'Health checks and metrics for load balancers and monitoring.' },
];

// Says what the routes do today; areas with tables but no routes yet (assessments, communication,
// payments, analytics) are added here when their routes are.
const DESCRIPTION = [
  'HTTP API of the learning platform: accounts and sign-in, user profiles and administration, the public',
  'course catalog, course authoring (courses, modules, lessons, publishing, prerequisites), enrolment,',
  'in-app notifications, and the background job queue for admins.',
  '',
  'Every endpoint of the current version lives under `/api/v1`. Errors are RFC 9457 problem details',
  '(`application/problem+json`) with a stable `type` URI and `code`; validation errors list each bad',
  'field in `errors`. Every response carries an `x-request-id` header; send your own (letters, digits,',
  '`.`, `_`, `:`, `-`; at most 64 characters) to correlate requests with server logs.',
  '',
  'Operations that need a signed-in user declare the `bearerAuth` scheme: send',
  '`Authorization: Bearer <accessToken>` with the access token from sign-in or refresh. Every operation',
  'has a stable `operationId`, so generated clients keep their method names across releases.',
].join('\n');

function packageVersion(): string {
  const raw = readFileSync(path.join(projectRoot, 'package.json'), 'utf8');
  const { version } = JSON.parse(raw) as { version?: unknown };
  return typeof version === 'string' ? version : '0.0.0';
}

/**
 * OpenAPI 3.1 document generated from the route schemas, served at `GET /openapi.json`, and the
 * Scalar API reference at `/docs/` (loaded on first use: api-reference.ts). Registered before any
 * route so the swagger plugin sees them all; fastify-plugin keeps it at the application's root.
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Learning Platform API', version: packageVersion(), description: DESCRIPTION },
        // Relative, so the reference's "try it" works on whatever host and port serves it.
        servers: [{ url: '/', description: 'This server' }],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description: 'Short-lived access token from the login or refresh endpoint.',
            },
          },
        },
        tags: API_TAGS,
      },
      transform: documentCommonErrorResponses,
      // Shared schemas (addSchema with an $id such as `Problem`) keep their names in
      // components.schemas instead of becoming `def-0`, `def-1`, ...
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    });

    app.get(
      '/openapi.json',
      { schema: { hide: true }, logLevel: quietRouteLogLevel(app.log.level) },
      async () => app.swagger(),
    );

    registerApiReference(app, { pageTitle: 'Learning Platform API reference' });
  },
  { name: 'openapi', fastify: '5.x', dependencies: ['error-handler'] },
);
