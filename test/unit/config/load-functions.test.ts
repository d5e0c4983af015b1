import assert from 'node:assert/strict';
import { PUBLIC_ROUTE, useConfigTree } from './fixture.js';

describe('config loading: the local functions file', () => {
  const tree = useConfigTree();
  beforeEach(() => tree().write('routes/r.yaml', PUBLIC_ROUTE));

  it('fills every default, resolves cwd against the working directory and stringifies env numbers', async () => {
    tree().write('functions.yaml', `
      functions:
        hello:
          command: [node, hello.js]
          env: { GREETING: hi, RETRIES: 3 }
    `);
    const hello = (await tree().config({ functions: true })).functions.get('hello');
    assert.deepEqual(hello, {
      name: 'hello',
      position: { file: tree().path('functions.yaml'), line: 2, col: 3 },
      command: ['node', 'hello.js'],
      cwd: tree().root,
      env: { GREETING: 'hi', RETRIES: '3' },
      readinessPath: '/healthz',
      maxInstances: 1,
      concurrency: 0,
      idleTimeoutMs: null,
      coldStartTimeoutMs: 30_000,
      maxPending: 1000,
      maxPendingBytes: 64 * 1024 * 1024,
    });
  });

  it('reports a bad name, an empty command, a bad duration, a bad size and a missing cwd', async () => {
    tree().write('functions.yaml', `
      functions:
        Hello_World:
          command: [node, x.js]
        ok:
          command: []
        slow:
          command: [node]
          cwd: nowhere
          idleTimeout: soon
          maxPendingBytes: 1TB
          readinessPath: healthz
    `);
    assert.deepEqual(await tree().problems({ functions: true }), [
      'functions.yaml:2:3: function name "Hello_World" must be a DNS-1123 label (lower-case letters, digits, "-"; at most 63)',
      'functions.yaml:5:14: command must not be empty',
      `functions.yaml:8:10: cwd ${tree().path('nowhere')} is not a directory`.replace(tree().root + '/', ''),
      'functions.yaml:9:18: idleTimeout "soon" is not a duration (expected e.g. 250ms, 30s, 5m, 1h, 1d)',
      'functions.yaml:10:22: maxPendingBytes "1TB" is not a size (expected e.g. 512, 64KB, 10MiB, 1GiB)',
      'functions.yaml:11:20: readinessPath "healthz" must start with /',
    ]);
  });

  it('is an error when missing, at FILE:1:1', async () => {
    assert.deepEqual(await tree().problems({ functions: true }), ['functions.yaml:1:1: cannot read functions file: no such file']);
  });

  it('is not read at all for the Kubernetes backend, where any function name is accepted', async () => {
    tree().write('routes/f.yaml', 'routes:\n  - { name: f, match: { path: /f }, auth: public, function: orders }\n');
    const config = await tree().config({ functions: false });
    assert.equal(config.functions.size, 0);
    assert.deepEqual(config.routes.find((r) => r.name === 'f')?.target, { kind: 'function', name: 'orders' });
  });

  it('refuses a function name in a route that is not a DNS-1123 label, even without a functions file', async () => {
    tree().write('routes/f.yaml', 'routes:\n  - { name: f, match: { path: /f }, auth: public, function: Orders }\n');
    assert.deepEqual(await tree().problems(), [
      'routes/f.yaml:2:61: function name "Orders" must be a DNS-1123 label (lower-case letters, digits, "-")',
    ]);
  });
});
