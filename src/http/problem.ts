// Every error the gateway itself answers is RFC 9457 problem+json with the
// request id (SPEC §4): one type of value, one writer, never HTML.
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

export type ProblemCode =
  | 'bad-request'
  | 'bad-path'
  | 'unauthorized'
  | 'forbidden'
  | 'route-not-found'
  | 'method-not-allowed'
  | 'body-too-large'
  | 'rate-limited'
  | 'rate-limit-unavailable'
  | 'headers-too-large'
  | 'upstream-failed'
  | 'function-unavailable'
  | 'upstream-timeout'
  | 'cors-origin-refused'
  | 'upgrade-not-supported'
  | 'internal';

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }
}

export function problemBody(problem: Problem, requestId: string): string {
  return JSON.stringify({
    type: `urn:gatehouse:problem:${problem.code}`,
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    requestId,
    ...problem.extensions,
  });
}

function keepsOnProblem(name: string): boolean {
  return name === 'x-request-id' || name === 'vary' || name === 'timing-allow-origin' || name.startsWith('access-control-') || name.startsWith('ratelimit');
}

/** Write a problem, unless a response already began (then the connection is cut).
 * With `endWhen`, the answer goes out at once but the response ends only when it
 * settles (an unread request body is discarded meanwhile, see linger.ts). */
export function sendProblem(res: ServerResponse, problem: Problem, requestId: string, endWhen?: Promise<void>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = problemBody(problem, requestId);
  for (const name of res.getHeaderNames()) {
    // The gateway's own headers still hold (the request id, CORS, the rate-limit state
    // after this request: SPEC §4 wants them on every response of a limited route);
    // anything else set before the failure does not describe this answer.
    if (!keepsOnProblem(name)) res.removeHeader(name);
  }
  res.statusCode = problem.status;
  res.setHeader('content-type', 'application/problem+json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  if (endWhen === undefined) return void res.end(body);
  res.write(body);
  void endWhen.then(() => res.end());
}
