import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../../http/authenticate.js';
import { ifNoneMatchMatches } from '../../http/conditional-get.js';
import { errorResponses } from '../../http/error-responses.js';
import { BEARER, PUBLIC } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  CertificatePageSchema,
  CertificateParams,
  CertificateSchema,
  IfNoneMatchHeaders,
  JwksSchema,
  MyCertificatesQuery,
  RevokeBody,
  VerificationParams,
  VerificationSchema,
} from './certificates.schemas.js';
import type { CertificatesService, VerificationView } from './certificates.service.js';
import type { CredentialSigner } from './credential.js';

export interface CertificateRoutesOptions {
  certificates: CertificatesService;
}

const TAGS = ['certificates'];
const noSuchCertificate = problemResponse(
  'No such certificate, or not one the caller may see (only its learner and admins).',
);
const notModified = {
  description: 'Not modified: the `If-None-Match` ETag is still current. No body.',
  type: 'null',
};

/**
 * Public answers may be kept by browsers and shared caches, but must be revalidated (a 304 is cheap):
 * a revocation then shows at once, whichever cache holds a copy.
 */
const PUBLIC_REVALIDATE = 'public, max-age=0, must-revalidate';

/** The route's own serializer for 200: the schema writes exactly the fields it lists. */
const serializerOf =
  (reply: FastifyReply) =>
  (body: VerificationView): string =>
    reply.serialize(body) as string;

/**
 * Certificates (tag `certificates`): a learner's own certificates and their PDFs, an admin's
 * revocation, and the public verification by code. Private answers are `no-store`.
 */
export const certificateRoutes: FastifyPluginAsyncTypebox<CertificateRoutesOptions> = async (
  app,
  { certificates },
) => {
  app.get(
    '/me/certificates',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'listMyCertificates',
        summary: 'My certificates, newest first',
        description:
          'Keyset pages of the signed-in user’s certificates, also those of enrollments that have since expired.',
        security: BEARER,
        querystring: MyCertificatesQuery,
        response: { 200: CertificatePageSchema, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return certificates.listMine(actorOf(request), request.query);
    },
  );

  app.get(
    '/certificates/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getCertificate',
        summary: 'One certificate',
        description: 'Its learner and admins; to anyone else it does not exist (404).',
        security: BEARER,
        params: CertificateParams,
        response: { 200: CertificateSchema, ...errorResponses(400, 401), 404: noSuchCertificate },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return certificates.get(actorOf(request), request.params.id);
    },
  );

  app.get(
    '/certificates/:id/pdf',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'downloadCertificatePdf',
        summary: 'The certificate as a PDF',
        description:
          'Learner, course, instructor, completion date, verification code and URL, and a QR code of that URL. ' +
          'Rendered on the first download and stored; later downloads stream the stored file. A revoked ' +
          'certificate’s PDF says REVOKED. Its learner and admins only (404 for anyone else).',
        security: BEARER,
        params: CertificateParams,
        response: {
          200: {
            description: 'The PDF document.',
            content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errorResponses(400, 401),
          404: noSuchCertificate,
        },
      },
    },
    async (request, reply) => {
      const pdf = await certificates.pdf(actorOf(request), request.params.id);
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', `attachment; filename="${pdf.filename}"`);
      reply.header('content-length', pdf.size);
      reply.type('application/pdf');
      return reply.send(pdf.body);
    },
  );

  app.post(
    '/certificates/:id/revoke',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'revokeCertificate',
        summary: 'Revoke a certificate (admin)',
        description:
          'Marks the certificate revoked with the reason given; its public verification says `revoked` at once. ' +
          'Admins only (403). Already revoked: 409 `certificate_revoked`, nothing changes.',
        security: BEARER,
        params: CertificateParams,
        body: RevokeBody,
        response: {
          200: CertificateSchema,
          ...errorResponses(400, 401, 403),
          404: problemResponse('No certificate with this id.'),
          409: problemResponse('`certificate_revoked`: it was revoked before.'),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return certificates.revoke(actorOf(request), request.params.id, request.body.reason);
    },
  );

  app.get(
    '/certificates/verify/:code',
    {
      schema: {
        tags: TAGS,
        operationId: 'verifyCertificate',
        summary: 'Verify a certificate by its code (public)',
        description: [
          'No sign-in. Whether the certificate is valid or revoked, the learner’s display name, the course',
          'title, the instructor, the issue and completion dates, and the signed credential (a compact JWS to',
          'check offline against /.well-known/jwks.json). Nothing else about the learner. Cacheable: `ETag`,',
          '`Cache-Control: public, max-age=0, must-revalidate`, `If-None-Match` answers 304; a revocation',
          'changes the answer at once. Unknown code: 404.',
        ].join(' '),
        security: PUBLIC,
        params: VerificationParams,
        headers: IfNoneMatchHeaders,
        response: {
          200: VerificationSchema,
          304: notModified,
          ...errorResponses(400),
          404: problemResponse('No certificate has this verification code.'),
        },
      },
    },
    async (request, reply) => {
      const answer = await certificates.verify(request.params.code, serializerOf(reply));
      reply.header('etag', answer.etag);
      reply.header('cache-control', PUBLIC_REVALIDATE);
      if (ifNoneMatchMatches(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
      reply.type('application/json; charset=utf-8');
      return answer.payload;
    },
  );
};

/** `/.well-known/jwks.json`, outside the versioned prefix where verifiers look for it. */
export const certificateKeyRoutes: FastifyPluginAsyncTypebox<{ signer: CredentialSigner }> = async (
  app,
  { signer },
) => {
  // Fixed for the process's life (keys come from configuration).
  const jwks = signer.jwks();
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: TAGS,
        operationId: 'getCertificateSigningKeys',
        summary: 'Public keys that sign certificates (JWKS)',
        description:
          'Every Ed25519 key whose signatures are valid: the current one and retired ones, named by `kid` ' +
          'as in each credential’s JWS header. Public halves only.',
        security: PUBLIC,
        response: { 200: JwksSchema, ...errorResponses(404) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return jwks;
    },
  );
};
