// Bucket keys in the memory store: a canonical IPv4 subject is one 32-bit integer,
// every other subject stays the string it is, and two subjects never share a key.
import assert from 'node:assert/strict';
import { memoryKey } from '../../../src/ratelimit/memory-key.js';

describe('memoryKey', () => {
  it('turns a canonical IPv4 subject into its 32-bit value', () => {
    assert.equal(memoryKey('ip:0.0.0.0'), 0);
    assert.equal(memoryKey('ip:10.0.0.7'), (10 << 24) | 7);
    assert.equal(memoryKey('ip:255.255.255.255'), -1);
    assert.equal(memoryKey('ip:128.0.0.1'), (128 << 24) | 1);
  });

  for (const subject of ['ip:10.0.0.07', 'ip:010.0.0.7', 'ip:10.0.0', 'ip:10.0.0.7.1', 'ip:256.0.0.1', 'ip:10..0.7', 'ip:10.0.0.', 'ip:::1', 'ip:::ffff:10.0.0.7', 'consumer:10.0.0.7', 'header:1.2.3.4', 'ip: 1.2.3.4', 'ip:1.2.3.4 ']) {
    it(`keeps ${JSON.stringify(subject)} as a string`, () => assert.equal(memoryKey(subject), subject));
  }

  it('never gives two subjects one key', () => {
    const seen = new Map<string | number, string>();
    for (let a = 0; a < 256; a += 51) {
      for (let d = 0; d < 256; d += 17) {
        for (const subject of [`ip:${a}.0.0.${d}`, `ip:${a}.0.0.0${d}`, `claim:${a}.0.0.${d}`]) {
          const key = memoryKey(subject);
          assert.equal(seen.get(key) ?? subject, subject);
          seen.set(key, subject);
        }
      }
    }
  });
});
