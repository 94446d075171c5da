import type pg from 'pg';

/**
 * A client-side deadline on every query of a pool client, for a database that stops answering
 * without closing the connection (a frozen server or VM, a black-holed network path). The server's
 * `statement_timeout` cannot help then, and node-postgres' own `query_timeout` only abandons the
 * query: the client goes back to the pool with the statement still running on its connection, and
 * possibly inside an open transaction whose ROLLBACK was abandoned too, so the next borrower's
 * queries would run in it. Here a query past its deadline destroys the connection instead: every
 * query on it fails with "Connection terminated" (a 503 for the request), the pool discards the
 * client, and PostgreSQL rolls back whatever was open once it notices the connection is gone.
 */
export function enforceQueryDeadline(client: pg.PoolClient, deadlineMs: number): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const replacement = (...args: unknown[]): unknown => {
    const timer = setTimeout(() => destroyConnection(client, deadlineMs), deadlineMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      // pg-pool's pool.query() uses the callback form.
      args[last] = (...results: unknown[]) => {
        clear();
        return callback(...results);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result instanceof Promise) {
      result.then(clear, clear);
    } else if (isEmitter(result)) {
      // A submittable (cursor, stream): it settles by event.
      result.once('end', clear);
      result.once('error', clear);
    } else {
      clear();
    }
    return result;
  };
  client.query = replacement as typeof client.query;
}

function isEmitter(value: unknown): value is { once(event: string, listener: () => void): void } {
  return typeof (value as { once?: unknown } | null)?.once === 'function';
}

/** node-postgres keeps the socket at `connection.stream`; it is not part of its typed API. */
function destroyConnection(client: pg.PoolClient, deadlineMs: number): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(error?: Error): void } } })
    .connection?.stream;
  // ETIMEDOUT: the code a socket timeout carries, which the error handler answers with 503.
  const error = Object.assign(new Error(`The database did not answer a query within ${deadlineMs} ms.`), {
    code: 'ETIMEDOUT',
  });
  stream?.destroy(error);
}
