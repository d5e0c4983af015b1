// SPEC §2: only the config's own files reload it — the YAML files directly in the
// routes and policies directories, the functions file, the files policies name.
// A gateway started as `gatehouse serve > gateway.log` beside functions.yaml
// reloaded on each of its own log lines, ~10 times a second, forever.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { keyHash as hashApiKey } from '../support/auth-fixture.js';
import { makeConfigDir, type ConfigDir } from '../support/config-dir.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { send } from '../support/http-client.js';
import { metric } from '../support/wake.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

/** Longer than the watcher's 100 ms debounce: a change it counted would have reloaded by then. */
const PAST_DEBOUNCE_MS = 400;

async function reloads(gateway: GatewayProcess): Promise<{ ok: number; error: number }> {
  const count = async (result: 'ok' | 'error'): Promise<number> => (await metric(gateway, 'gatehouse_config_reloads_total', { result })) ?? 0;
  return { ok: await count('ok'), error: await count('error') };
}

describe('hot reload: which files count', function () {
  this.timeout(60_000);
  let upstream: UpstreamServer;
  let config: ConfigDir;
  let gateway: GatewayProcess;

  beforeEach(async () => {
    upstream = await startUpstream();
    config = makeConfigDir({
      routes: { 'main.yaml': `routes:\n  - { name: main, match: { path: /main }, upstream: "${upstream.origin}", auth: partners }\n` },
      policies: { 'auth.yaml': 'auth:\n  partners: { type: apiKey, keysFile: keys/partners.yaml }\n' },
    });
    mkdirSync(path.join(config.policiesDir, 'keys'));
    config.write('policies/keys/partners.yaml', `keys:\n  - { id: acme, hash: "${hashApiKey('acme-key')}" }\n`);
    gateway = await startGatewayProcess(config);
  });

  afterEach(async () => {
    assert.equal(await gateway.stop(), 0);
    await upstream.close();
    config.remove();
  });

  /** One reload, awaited by its log line; the version it reached. */
  async function nextReload(after: number): Promise<number> {
    const line = await gateway.waitForLog((l) => l.msg === 'config reloaded' && Number(l.version) > after);
    return Number(line.version);
  }

  it('ignores a log file written beside functions.yaml 15 times in 2 s, swap and backup files, other files and new subfolders', async () => {
    const before = await reloads(gateway);
    const log = path.join(config.root, 'gateway.log');
    for (let i = 0; i < 15; i++) {
      appendFileSync(log, `{"msg":"a log line ${i}"}\n`);
      await sleep(130);
    }
    // Beside functions.yaml, in the routes and policies directories, beside a key file.
    for (const noise of ['functions.yaml.bak', '.functions.yaml.swp', 'functions.yaml~', '#functions.yaml#', 'notes.txt']) config.write(noise, 'x');
    for (const noise of ['.main.yaml.swp', 'main.yaml~', 'main.yaml.bak', '.#main.yaml', 'README.md']) config.write(`routes/${noise}`, 'x');
    for (const noise of ['.auth.yaml.swp', 'auth.yaml.orig']) config.write(`policies/${noise}`, 'x');
    config.write('policies/keys/other.yaml', 'not: named by any policy\n');
    config.write('policies/keys/partners.yaml~', 'x');
    for (const folder of ['sub', 'routes/archive', 'routes/old.yaml.d', 'policies/more']) mkdirSync(path.join(config.root, folder));
    await sleep(PAST_DEBOUNCE_MS);
    assert.deepEqual(await reloads(gateway), before, 'no reload, refused or not');
    assert.equal(gateway.logs.filter((l) => l.msg === 'config reloaded' || l.msg === 'config refused; the previous config stays live').length, 0);
  });

  it('still reloads on an atomic rename over functions.yaml, an edit of a routes file and of a named key file', async () => {
    const before = await reloads(gateway);
    let version = 1;

    // An editor's save: write a temporary file beside it, rename it over the original.
    const temporary = path.join(config.root, '.functions.yaml.tmp');
    writeFileSync(temporary, 'functions: {}\n# saved\n');
    renameSync(temporary, config.functionsFile);
    version = await nextReload(version);

    config.write('routes/main.yaml', `routes:\n  - { name: renamed, match: { path: /main }, upstream: "${upstream.origin}", auth: partners }\n`);
    version = await nextReload(version);

    config.write('policies/keys/partners.yaml', `keys:\n  - { id: acme, hash: "${hashApiKey('new-key')}" }\n`);
    version = await nextReload(version);
    assert.equal((await send(gateway.url('/main'), { headers: { 'x-api-key': 'new-key' } })).status, 200);
    assert.equal((await send(gateway.url('/main'), { headers: { 'x-api-key': 'acme-key' } })).status, 401);

    await sleep(PAST_DEBOUNCE_MS);
    const after = await reloads(gateway);
    assert.deepEqual(after, { ok: before.ok + 3, error: before.error }, 'one reload per change');
  });
});
