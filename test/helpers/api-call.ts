import type { App } from '../../src/app.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * `call(user, method, url, payload?)`: one in-process request to `/api/v1<url>` with `user`'s
 * credentials, for tests that walk many routes as several users. `suite.app` is read at call time,
 * so the caller can be made where a suite is declared, before its app is built.
 */
export function apiCaller(suite: { readonly app: App }) {
  return (user: { headers: Record<string, string> }, method: Method, url: string, payload?: unknown) =>
    suite.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: user.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
}
