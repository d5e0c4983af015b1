// The Redis flags of SPEC §1 checked at start: what each mode accepts, and every
// combination refused with its reason (never half-working, never plaintext when
// a CA was given), with no password in any problem or log description.
import assert from 'node:assert/strict';
import { describeTarget, parseRedisTarget, redactSecrets, redisTargetFromFlags, type RedisTargetResult } from '../../../src/ratelimit/redis-target.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const target = (result: RedisTargetResult) => {
  assert.ok(result.ok, result.ok ? '' : result.problem);
  return result.target;
};
const problem = (result: RedisTargetResult | null): string => {
  assert.ok(result && !result.ok, 'refused');
  return result.problem;
};

describe('redis target (SPEC §1 --redis, --redis-mode, --redis-master, --redis-ca)', () => {
  it('standalone: one URL with an ACL user, password (%-decoded) and database', () => {
    const t = target(parseRedisTarget({ urls: 'redis://app:p%40ss@10.0.0.7:6380/2' }));
    assert.deepEqual([t.mode, t.nodes, t.username, t.password, t.db, t.tls], ['standalone', [{ host: '10.0.0.7', port: 6380 }], 'app', 'p@ss', 2, null]);
  });

  it('cluster: comma-separated seeds; sentinel: sentinels (default port 26379) and the master name', () => {
    assert.deepEqual(target(parseRedisTarget({ urls: 'redis://a:7000, redis://b:7001', mode: 'cluster' })).nodes, [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }]);
    const s = target(parseRedisTarget({ urls: 'redis://s1,redis://s2:5000', mode: 'sentinel', master: 'mymaster' }));
    assert.deepEqual([s.nodes, s.master], [[{ host: 's1', port: 26379 }, { host: 's2', port: 5000 }], 'mymaster']);
  });

  it('rediss:// is TLS with the CA given, or the system CAs', () => {
    assert.deepEqual(target(parseRedisTarget({ urls: 'rediss://r:6379', ca: { file: 'ca.pem', pem: PEM } })).tls, { ca: PEM });
    assert.deepEqual(target(parseRedisTarget({ urls: 'rediss://r:6379' })).tls, { ca: null });
  });

  for (const [name, input, reason] of [
    ['sentinel without its master', { urls: 'redis://s1', mode: 'sentinel' }, /needs --redis-master/],
    ['a master name outside sentinel mode', { urls: 'redis://r', master: 'm' }, /only for --redis-mode sentinel/],
    ['an unknown mode', { urls: 'redis://r', mode: 'ring' }, /--redis-mode must be one of/],
    ['several URLs in standalone mode', { urls: 'redis://a,redis://b' }, /several URLs/],
    ['a CA beside a plaintext URL', { urls: 'redis://r', ca: { file: 'ca.pem', pem: PEM } }, /plaintext/],
    ['a CA file with no certificate', { urls: 'rediss://r', ca: { file: 'ca.pem', pem: 'junk' } }, /no PEM certificate/],
    ['redis:// and rediss:// mixed', { urls: 'redis://a,rediss://b', mode: 'cluster' }, /all or nothing/],
    ['different credentials per seed', { urls: 'redis://u:one@a,redis://u:two@b', mode: 'cluster' }, /different credentials/],
    ['a database in cluster mode', { urls: 'redis://a/3', mode: 'cluster' }, /database 0 only/],
    ['another scheme', { urls: 'http://r:6379' }, /expected redis:\/\/ or rediss:\/\//],
  ] as const) {
    it(`refuses ${name}`, () => assert.match(problem(parseRedisTarget(input)), reason));
  }

  it('names a bad URL by its position, never by its text (it may hold a password)', () => {
    const text = problem(parseRedisTarget({ urls: 'redis://u:sekrit@a,redis://u:sekrit@b/x', mode: 'cluster' }));
    assert.match(text, /URL 2/);
    assert.ok(!text.includes('sekrit'));
  });

  it('flags: --redis-mode, --redis-master or --redis-ca without --redis is refused; the CA is read once, an unreadable one refused', () => {
    assert.equal(redisTargetFromFlags({}, () => PEM), null);
    assert.match(problem(redisTargetFromFlags({ redisMode: 'cluster' }, () => PEM)), /--redis-mode needs --redis/);
    assert.match(problem(redisTargetFromFlags({ redisCa: 'ca.pem' }, () => PEM)), /--redis-ca needs --redis/);
    let reads = 0;
    target(redisTargetFromFlags({ redis: 'rediss://r', redisCa: 'ca.pem' }, () => (reads++, PEM)) as RedisTargetResult);
    assert.equal(reads, 1);
    const missing = Object.assign(new Error('nope'), { code: 'ENOENT' });
    assert.match(problem(redisTargetFromFlags({ redis: 'rediss://r', redisCa: 'gone.pem' }, () => { throw missing; })), /gone\.pem: cannot read it \(ENOENT\)/);
  });

  it('describes the target for a log line with host:port and user, never the password; redacts it from error texts', () => {
    const t = target(parseRedisTarget({ urls: 'rediss://app:sekrit@r:6380' }));
    const described = JSON.stringify(describeTarget(t));
    assert.ok(described.includes('r:6380') && described.includes('app') && !described.includes('sekrit'));
    assert.equal(redactSecrets('AUTH sekrit failed', t), 'AUTH [redacted] failed');
  });
});
