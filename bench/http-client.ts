/**
 * The load generator's client for the scenarios that build every request themselves (the quiz start
 * spike and submit; the fixed-route scenarios use autocannon): node:http over keep-alive connections.
 * The bench process shares the 2 cores with the server and PostgreSQL, so what the client burns is
 * taken from them: on this machine fetch cost it ~210 µs of CPU per request, node:http ~75 µs.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true });

export interface BenchResponse {
  status: number;
  body: string;
}

export function benchRequest(
  url: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders } = {},
): Promise<BenchResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}
