// JWKS sets live across reloads, keyed by policy and URI; sets no config uses
// any more are stopped and forgotten; plain http off loopback is warned about.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { JwksRegistry } from '../../../src/auth/jwt/jwks-registry.js';
import { createLogger } from '../../../src/observability/logger.js';
import { JwksServer } from '../../support/jwks-server.js';
import { rsaKeyPair } from '../../support/tokens.js';
import { until } from '../../support/wait.js';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('warn', sink), lines };
}

describe('JWKS registry', () => {
  it('gives one set per policy and URI, and keeps it across compiles', () => {
    const registry = new JwksRegistry(capturingLogger().logger);
    const uri = new URL('http://127.0.0.1:1/jwks.json');
    const first = registry.keySet('mobile', uri);
    assert.equal(registry.keySet('mobile', new URL(uri.href)), first);
    assert.notEqual(registry.keySet('partners', uri), first, 'each policy has its own cooldown');
    assert.notEqual(registry.keySet('mobile', new URL('http://127.0.0.1:1/other.json')), first);
  });

  const hosts: Array<[string, boolean]> = [
    ['http://id.example.com/jwks.json', true],
    ['https://id.example.com/jwks.json', false],
    ['http://127.0.0.1:8080/jwks.json', false],
    ['http://localhost:8080/jwks.json', false],
    ['http://[::1]:8080/jwks.json', false],
  ];
  for (const [uri, warns] of hosts) {
    it(`${warns ? 'warns' : 'does not warn'} about ${uri}`, () => {
      const { logger, lines } = capturingLogger();
      new JwksRegistry(logger).keySet('mobile', new URL(uri));
      assert.equal(lines.some((line) => /plain http/.test(String(line.msg))), warns);
    });
  }

  it('starts the sets in use and stops and forgets the others', async () => {
    const server = await new JwksServer().start();
    try {
      server.setKeys([rsaKeyPair('k').jwk('RS256')]);
      const registry = new JwksRegistry(capturingLogger().logger);
      const kept = registry.keySet('mobile', new URL(server.url));
      const dropped = registry.keySet('old', new URL(server.url));
      registry.retainOnly(new Set([kept]));
      await until('the kept set to fetch in the background', () => (kept.fetches === 1 ? true : undefined));
      assert.equal(dropped.fetches, 0);
      assert.notEqual(registry.keySet('old', new URL(server.url)), dropped, 'a dropped set is built anew');
      assert.equal(registry.keySet('mobile', new URL(server.url)), kept);
      registry.stopAll();
    } finally {
      await server.stop();
    }
  });
});
