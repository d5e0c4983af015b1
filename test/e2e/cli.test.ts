// The `gatehouse` command (SPEC §1), run as a user runs it: `node dist/cli.js`.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { makeConfigDir, type ConfigDir } from '../support/config-dir.js';

const CLI = path.resolve('dist/cli.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

const sources = (config: ConfigDir): string[] => [`--routes=${config.routesDir}`, `--policies=${config.policiesDir}`, `--functions=${config.functionsFile}`];

const upstreamRoute = (name: string, match: string): string => `  - name: ${name}\n    match: ${match}\n    upstream: http://127.0.0.1:9\n    auth: public\n`;

// Written in the reverse of their match priority.
const VALID = `routes:\n${upstreamRoute('api-prefix', '{ path: /api/* }')}${upstreamRoute('api-item', '{ path: /api/:id, methods: [GET] }')}${upstreamRoute('api-users', '{ path: /api/users }')}`;

/** Line 6 col 5: an unknown key; line 7 col 11: the second `one`, a duplicate name. */
const INVALID = `routes:
  - name: one
    match: { path: /one }
    upstream: http://127.0.0.1:9
    auth: public
    colour: blue
  - name: one
    match: { path: /two }
    upstream: http://127.0.0.1:9
    auth: public
`;

/** `serve` in the background: its stdout lines, the listening line, and a SIGTERM stop. */
async function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'serve', '--host=127.0.0.1', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = await new Promise<{ port: number; adminPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.includes('"event":"listening"')) resolve(JSON.parse(line) as { port: number; adminPort: number });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return {
    lines,
    listening,
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('gatehouse CLI', function () {
  this.timeout(30_000);
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const configWith = (routes: string): ConfigDir => {
    const config = makeConfigDir({ routes: { 'main.yaml': routes } });
    cleanups.push(() => config.remove());
    return config;
  };

  describe('validate', () => {
    it('exits 0 on a valid config and says only that it is valid', async () => {
      const result = await run(['validate', ...sources(configWith(VALID))]);
      assert.deepEqual(result, { code: 0, stdout: 'config is valid: 3 routes\n', stderr: '' });
    });

    it('exits 1 with one FILE:LINE:COL: message line per problem', async () => {
      const config = configWith(INVALID);
      const file = path.join(config.routesDir, 'main.yaml');
      const result = await run(['validate', ...sources(config)]);
      assert.equal(result.code, 1);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stdout);
      assert.match(lines[0] as string, new RegExp(`^${escape(file)}:6:5: unknown key "colour"`));
      assert.equal(lines[1], `${file}:7:11: duplicate route name "one" (first defined at ${file}:2:11)`);
    });
  });

  it('routes prints one line per route, name first, in match-priority order', async () => {
    const result = await run(['routes', ...sources(configWith(VALID))]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => line.split(/\s+/)[0]),
      ['api-users', 'api-item', 'api-prefix'],
    );
    assert.match(lines[1] as string, /^api-item\s+GET\s+\*\s+\/api\/:id\s+upstream:http:\/\/127\.0\.0\.1:9\/\s+auth=public\s+rateLimit=-$/);
  });

  describe('keys', () => {
    const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

    async function newKey(args: string[] = []): Promise<{ key: string; hash: string }> {
      const result = await run(['keys', 'new', ...args]);
      assert.equal(result.code, 0, result.stderr);
      const match = /^key: +(\S+)\nhash: +(\S+)\n$/.exec(result.stdout);
      assert.ok(match, result.stdout);
      return { key: match[1] as string, hash: match[2] as string };
    }

    it('new prints a base64url key of at least 32 random bytes and its sha256 hash', async () => {
      const [first, second] = [await newKey(), await newKey()];
      for (const { key, hash } of [first, second]) {
        assert.match(key, /^[A-Za-z0-9_-]{43,}$/);
        assert.ok(Buffer.from(key, 'base64url').length >= 32);
        assert.match(hash, /^sha256:[0-9a-f]{64}$/);
        assert.equal(hash, sha256(key));
      }
      assert.notEqual(first.key, second.key);
    });

    it('hash gives the same hash from an argument and from stdin, one trailing newline ignored', async () => {
      const { key, hash } = await newKey();
      const [argument, piped, bare, twoNewlines] = await Promise.all([
        run(['keys', 'hash', key]),
        run(['keys', 'hash'], `${key}\n`),
        run(['keys', 'hash'], key),
        run(['keys', 'hash'], `${key}\n\n`),
      ]);
      assert.deepEqual(argument, { code: 0, stdout: `${hash}\n`, stderr: '' });
      assert.deepEqual(piped, { code: 0, stdout: `${hash}\n`, stderr: '' });
      assert.equal(bare.stdout, `${hash}\n`);
      // Only one: a second newline is part of the key.
      assert.equal(twoNewlines.stdout, `${sha256(`${key}\n`)}\n`);
    });

    it('hash takes a key that starts with a dash (base64url, one key in 64) as the key, not an option', async () => {
      const key = '-Yg-NB8qDc2gCks31NY6VBoCyD0bH6DazVZ8CZ359BY'; // one `keys new` printed
      assert.deepEqual(await run(['keys', 'hash', key]), { code: 0, stdout: `${sha256(key)}\n`, stderr: '' });
    });

    it('new --prefix puts the prefix before the random part', async () => {
      const { key, hash } = await newKey(['--prefix', 'gh_']);
      assert.match(key, /^gh_[A-Za-z0-9_-]{43,}$/);
      assert.equal(hash, sha256(key));
    });
  });

  describe('serve', () => {
    it('takes its settings from GATEHOUSE_* env vars (GATEHOUSE_PORT=0 picks a free port)', async () => {
      const config = configWith(VALID);
      const gateway = await serve([], { GATEHOUSE_PORT: '0', GATEHOUSE_ADMIN_PORT: '-1', GATEHOUSE_ROUTES: config.routesDir, GATEHOUSE_POLICIES: config.policiesDir, GATEHOUSE_FUNCTIONS: config.functionsFile });
      cleanups.push(async () => void (await gateway.stop()));
      assert.ok(gateway.listening.port > 0 && gateway.listening.port !== 8080);
      assert.equal(gateway.listening.adminPort, -1);
      assert.equal(await gateway.stop(), 0);
    });

    it('lets a flag win over its env var', async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => void taken.close());
      const takenPort = (taken.address() as net.AddressInfo).port;
      const config = configWith(VALID);
      // Both env ports would fail (taken; no admin listener): the flags must be the ones used.
      const gateway = await serve(['--port=0', '--admin-port=0', ...sources(config)], { GATEHOUSE_PORT: String(takenPort), GATEHOUSE_ADMIN_PORT: '-1' });
      cleanups.push(async () => void (await gateway.stop()));
      assert.notEqual(gateway.listening.port, takenPort);
      assert.ok(gateway.listening.adminPort > 0);
      assert.equal(await gateway.stop(), 0);
    });

    it('prints the listening line even with --log-level silent, and nothing else', async () => {
      const config = configWith(VALID);
      const gateway = await serve(['--port=0', '--admin-port=0', '--log-level', 'silent', ...sources(config)], {});
      cleanups.push(async () => void (await gateway.stop()));
      const { port, adminPort } = gateway.listening;
      assert.ok(port > 0 && adminPort > 0);
      assert.equal(await gateway.stop(), 0);
      assert.deepEqual(gateway.lines, [JSON.stringify({ event: 'listening', port, adminPort })]);
    });

    it('drains and exits 0 on a SIGTERM sent the moment the listening line appears (the signal beat the handlers)', async () => {
      const gateway = await serve(['--port=0', '--admin-port=0', ...sources(configWith(VALID))], {});
      assert.equal(await gateway.stop(), 0);
      assert.ok(gateway.lines.some((line) => line.includes('"msg":"stopped"')));
    });

    it('exits 1 with the reason, not a stack trace, when the admin port is taken', async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => void taken.close());
      const takenPort = (taken.address() as net.AddressInfo).port;
      const result = await run(['serve', '--port=0', `--admin-port=${takenPort}`, '--host=127.0.0.1', ...sources(configWith(VALID))]);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `gatehouse: cannot start:\nlisten EADDRINUSE: address already in use 127.0.0.1:${takenPort}\n`);
    });

    it('exits 1 on an invalid config with FILE:LINE:COL on stderr', async () => {
      const config = configWith(INVALID);
      const file = path.join(config.routesDir, 'main.yaml');
      const result = await run(['serve', '--port=0', '--admin-port=-1', '--host=127.0.0.1', ...sources(config)]);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes(`${file}:6:5: unknown key "colour"`), result.stderr);
      assert.ok(result.stderr.includes(`${file}:7:11: duplicate route name "one"`), result.stderr);
      assert.doesNotMatch(result.stdout, /"event":"listening"/);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
