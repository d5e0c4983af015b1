import assert from 'node:assert/strict';
import { parseDuration, parseSize } from '../../../src/config/units.js';

describe('config units', () => {
  describe('parseDuration', () => {
    const valid: [string, number][] = [
      ['250ms', 250],
      ['0s', 0],
      ['30s', 30_000],
      ['5m', 300_000],
      ['1h', 3_600_000],
      ['1d', 86_400_000],
      ['1.5s', 1500],
      ['0.25m', 15_000],
    ];
    for (const [text, ms] of valid) {
      it(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
    }

    for (const text of ['', '30', '-1s', '+1s', '1.s', '.5s', '1 s', '1S', '1w', '1h30m', 's', 'ms', '1e3s', ' 1s']) {
      it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), null));
    }
  });

  describe('parseSize', () => {
    const valid: [string, number][] = [
      ['0', 0],
      ['512', 512],
      ['10B', 10],
      ['1KB', 1000],
      ['1kB', 1000],
      ['1KiB', 1024],
      ['2MB', 2_000_000],
      ['10MiB', 10 * 1024 * 1024],
      ['1GB', 1e9],
      ['1GiB', 1024 ** 3],
      ['1.5KiB', 1536],
    ];
    for (const [text, bytes] of valid) {
      it(`reads ${text} as ${bytes} bytes`, () => assert.equal(parseSize(text), bytes));
    }

    for (const text of ['', 'MiB', '-1', '1.5', '1.5B', '1kb', '1mb', '1 MiB', '1TB', '10MiBx', 'lots']) {
      it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseSize(text), null));
    }
  });
});
