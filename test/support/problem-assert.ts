// The shape every gateway error must have (SPEC §4): RFC 9457 problem+json with
// the request id, never HTML.
import assert from 'node:assert/strict';

interface ProblemReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string | Buffer;
}

export function assertProblem(reply: ProblemReply, status: number, code?: string): Record<string, unknown> {
  const text = reply.body.toString();
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${text}`);
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  const problem = JSON.parse(text) as Record<string, unknown>;
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.equal(typeof problem.detail, 'string');
  assert.equal(problem.requestId, reply.headers['x-request-id']);
  if (code !== undefined) assert.equal(problem.type, `urn:gatehouse:problem:${code}`);
  return problem;
}
