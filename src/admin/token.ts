// The admin API's bearer token (SPEC §6). Compared as sha256 digests with
// timingSafeEqual, so neither the content nor the length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'missing-or-wrong' | 'not-configured';

export function tokenChecker(token: string | null): (authorization: string | undefined) => TokenCheck {
  if (token === null || token === '') return () => 'not-configured';
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!match) return 'missing-or-wrong';
    const presented = createHash('sha256').update(match[1] as string).digest();
    return timingSafeEqual(presented, expected) ? 'ok' : 'missing-or-wrong';
  };
}
