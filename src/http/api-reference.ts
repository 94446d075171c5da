import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import type { ContentCoding } from '../shared/representation.js';
import { compressInBackground, negotiateCoding } from './content-coding.js';
import { quietRouteLogLevel } from './logger.js';

export const API_REFERENCE_PREFIX = '/docs';

/**
 * The reference as a self-hosted API needs it: without the buttons of Scalar's hosted services
 * ("Ask AI", the developer tools with "Deploy" and "Share"), which do nothing for this API, and
 * without telemetry. (The pinned 1.46.4, the newest release whose dependencies all install on
 * Node 20, has no "Generate MCP" button to turn off.) Search, the dark
 * mode toggle, the code samples and "Test Request" stay (their defaults). The bearer scheme is
 * pre-selected, so "Test Request" sends the pasted access token.
 */
export const SELF_HOSTED_REFERENCE = {
  agent: { disabled: true },
  showDeveloperTools: 'never',
  telemetry: false,
  showOperationId: true,
  authentication: { preferredSecurityScheme: 'bearerAuth' },
} as const;

/** Headers of the reference's responses that are passed on (not its framing or date). */
const FORWARDED_HEADERS = [
  'content-type',
  'content-disposition',
  'location',
  'access-control-allow-origin',
  'access-control-allow-methods',
];

/**
 * The Scalar API reference at `/docs/` (`/docs` redirects there), loaded on its first request.
 *
 * Why not register @scalar/fastify-api-reference with the application: importing it costs every
 * instance ~27 MB of resident memory (its 4 MB browser bundle is a string constant of the module)
 * for a page that is opened rarely and only on some instances. So `/docs` and `/docs/*` are routes
 * of the application that, on first use, build the plugin into a private Fastify instance and
 * answer through `inject()`; its output is that of the plugin registered directly. The 4 MB script
 * is sent compressed when the browser accepts it (made once per coding, off the event loop).
 */
export function registerApiReference(app: FastifyInstance, options: { pageTitle: string }): void {
  let reference: Promise<FastifyInstance> | undefined;
  const load = () => {
    reference ??= buildReference(() => app.swagger(), options.pageTitle).catch((error: unknown) => {
      reference = undefined; // the next request tries again
      throw error;
    });
    return reference;
  };
  // The plugin serves one script, the same bytes every time: each coding is made once.
  const scriptCodings = new Map<ContentCoding, Promise<Buffer>>();

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const response = await (await load()).inject({ method: 'GET', url: request.url });
    // Errors as the application words them (problem+json), not the private instance's defaults.
    if (response.statusCode === 404) return reply.callNotFound();
    if (response.statusCode >= 400) throw new Error(`API reference answered ${response.statusCode}`);
    reply.code(response.statusCode);
    for (const name of FORWARDED_HEADERS) {
      const value = response.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    if (response.statusCode !== 200 || !/javascript/.test(String(response.headers['content-type']))) {
      return reply.send(response.rawPayload);
    }
    return reply.send(await encodedScript(request, reply, response.rawPayload, scriptCodings));
  };

  const routeOptions = { schema: { hide: true }, logLevel: quietRouteLogLevel(app.log.level) };
  app.get(API_REFERENCE_PREFIX, routeOptions, forward);
  app.get(`${API_REFERENCE_PREFIX}/*`, routeOptions, forward);
  app.addHook('onClose', async () => {
    if (reference) await (await reference.catch(() => undefined))?.close();
  });
}

async function buildReference(document: () => unknown, pageTitle: string): Promise<FastifyInstance> {
  const { default: scalar } = await import('@scalar/fastify-api-reference');
  const reference = Fastify({ logger: false });
  await reference.register(scalar, {
    routePrefix: API_REFERENCE_PREFIX,
    configuration: { pageTitle, content: document, ...SELF_HOSTED_REFERENCE },
  });
  await reference.ready();
  return reference;
}

/** The script in the coding the browser prefers (~4 MB as it is, ~1.2 MB compressed). */
async function encodedScript(
  request: FastifyRequest,
  reply: FastifyReply,
  script: Buffer,
  codings: Map<ContentCoding, Promise<Buffer>>,
): Promise<Buffer> {
  reply.header('vary', 'Accept-Encoding');
  const coding = negotiateCoding(request.headers['accept-encoding'], script);
  if (coding === undefined) return script;
  let encoded = codings.get(coding);
  if (encoded === undefined) {
    encoded = compressInBackground(script, coding);
    codings.set(coding, encoded);
    encoded.catch(() => codings.delete(coding)); // the next request tries again
  }
  reply.header('content-encoding', coding);
  return encoded;
}
