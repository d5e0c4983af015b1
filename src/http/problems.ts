// One place that maps typed failures to HTTP problems (STYLE §10).
import type { ActivationError } from '../functions/types.js';
import type { ExchangeFailure } from '../proxy/exchange.js';
import type { BodyFailure } from '../proxy/request-body.js';
import type { RouteMatch } from '../routing/types.js';
import { Problem } from './problem.js';

export function matchProblem(match: Exclude<RouteMatch, { kind: 'matched' }>): Problem {
  if (match.kind === 'method-not-allowed') {
    return new Problem(405, 'method-not-allowed', `this route allows ${match.allow}`, { allow: match.allow });
  }
  return new Problem(404, 'route-not-found', 'no route matches this request');
}

export function activationProblem(error: ActivationError): Problem {
  const retryAfter = { 'retry-after': String(error.retryAfterSeconds) };
  switch (error.code) {
    case 'queue-full':
      return new Problem(503, 'function-unavailable', `function ${error.fn} has too many requests waiting`, retryAfter);
    case 'bytes-full':
      return new Problem(503, 'function-unavailable', `function ${error.fn} has too many body bytes waiting`, { ...retryAfter, connection: 'close' });
    case 'cold-start-timeout':
      return new Problem(503, 'function-unavailable', `function ${error.fn} did not become ready in time`, retryAfter);
    case 'wake-failed':
      return new Problem(503, 'function-unavailable', `function ${error.fn} could not be woken`, retryAfter);
    case 'unknown-function':
      return new Problem(503, 'function-unavailable', `function ${error.fn} is not known to the backend`, retryAfter);
    case 'aborted':
      return new Problem(400, 'bad-request', 'the request was aborted');
  }
}

export function exchangeProblem(failure: ExchangeFailure, detail: string): Problem {
  switch (failure) {
    case 'timeout':
      return new Problem(504, 'upstream-timeout', detail);
    case 'connect':
      return new Problem(502, 'upstream-failed', detail);
    case 'body-too-large':
      return new Problem(413, 'body-too-large', 'the body grew past the route\'s maxBodySize', { connection: 'close' });
    case 'held-bytes-full':
      return new Problem(503, 'function-unavailable', 'too many body bytes waiting', { 'retry-after': '1', connection: 'close' });
    case 'client-error':
      return new Problem(400, 'bad-request', detail, { connection: 'close' });
  }
}

/** A request body that failed before the exchange began (while middleware read it, say). */
export function bodyProblem(failure: BodyFailure): Problem {
  return exchangeProblem(failure === 'too-large' ? 'body-too-large' : failure, 'the request body failed');
}

/** SPEC §2: a failing middleware is a 500 problem; the log line names route and module. */
export function middlewareProblem(): Problem {
  return new Problem(500, 'internal', 'route middleware failed');
}
