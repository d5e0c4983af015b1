// `gatehouse serve` refuses Redis flags that do not fit together before it
// listens (SPEC §1): exit 1 and one line saying what is missing, from the
// flags or from their environment variables.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function serve(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'serve', '--port=0', '--admin-port=-1', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('gatehouse serve: Redis flags checked at start (SPEC §1)', function () {
  this.timeout(30_000);
  it('refuses --redis-mode sentinel without --redis-master, saying so', () => {
    const run = serve(['--redis=redis://127.0.0.1:1', '--redis-mode=sentinel']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /--redis-mode sentinel needs --redis-master NAME/);
  });

  it('reads the same from the environment (GATEHOUSE_REDIS_MODE), and refuses a CA beside plaintext without echoing the URL', () => {
    const run = serve([], { GATEHOUSE_REDIS_URL: 'redis://u:sekrit@127.0.0.1:1', GATEHOUSE_REDIS_MODE: 'standalone', GATEHOUSE_REDIS_CA_FILE: path.resolve('package.json') });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /plaintext/);
    assert.ok(!run.stderr.includes('sekrit'));
  });
});
