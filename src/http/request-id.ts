// X-Request-Id (SPEC §4): the caller's when it is well-formed, else a new one.
import { randomUUID } from 'node:crypto';

const ACCEPTABLE = /^[A-Za-z0-9._~:@/+=-]{1,128}$/;

export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && ACCEPTABLE.test(incoming) ? incoming : randomUUID();
}
