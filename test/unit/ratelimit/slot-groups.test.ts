// The pure parts of the cluster store: the key layout (the hash tag is the
// subject, whatever the policy is named) and the merge of per-slot decisions
// into one, with the headers of SPEC §4 from the state each slot decided on.
import assert from 'node:assert/strict';
import { decide, type GcraLimit } from '../../../src/ratelimit/gcra.js';
import { clusterKey, decideGroup, groupBySubject, mergeDecisions, reservationKey, type GroupState } from '../../../src/ratelimit/slot-groups.js';
import type { BucketRequest } from '../../../src/ratelimit/store.js';

const HOUR = 3_600_000;
const tight: GcraLimit = { requests: 2, perMs: HOUR, burst: 0 };
const wide: GcraLimit = { requests: 10, perMs: HOUR, burst: 0 };
const bucket = (space: string, subject: string, limit: GcraLimit): BucketRequest => ({ space, subject, limit });
/** Redis's rule: the tag is what lies between the first `{` and the first `}` after it. */
const tagOf = (key: string): string => key.slice(key.indexOf('{') + 1, key.indexOf('}', key.indexOf('{') + 1));

describe('cluster key layout and slot groups', () => {
  it('tags every key with its subject, also its reservation set', () => {
    const key = clusterKey(bucket('gh:rl:p:0:2/3600000+0:', 'ip:10.0.0.7', tight));
    assert.equal(key, 'gh:rl:p:0:2/3600000+0:{ip:10.0.0.7}');
    assert.equal(tagOf(reservationKey(key)), 'ip:10.0.0.7');
  });

  it('escapes a { in a policy name, so the tag is still the subject (and two names stay two spaces)', () => {
    const odd = clusterKey(bucket('gh:rl:a{b:0:2/3600000+0:', 'consumer:acme', tight));
    assert.equal(tagOf(odd), 'consumer:acme');
    assert.notEqual(clusterKey(bucket('gh:rl:a%7Bb:0:', 'x:y', tight)), clusterKey(bucket('gh:rl:a{b:0:', 'x:y', tight)));
  });

  it('groups buckets by subject, in first-seen order', () => {
    const buckets = [bucket('a:', 'ip:1', tight), bucket('b:', 'consumer:c', wide), bucket('c:', 'ip:1', wide)];
    assert.deepEqual(groupBySubject(buckets), [[0, 2], [1]]);
  });

  const group = (indexes: number[], limits: GcraLimit[], tats: number[], nowMs: number): GroupState => ({ indexes, limits, tats, nowMs });

  it('admits when every group admits, reports in the original order', () => {
    const groups = [group([0, 2], [tight, wide], [1000, 1000], 1000), group([1], [wide], [5000], 5000)];
    const merged = mergeDecisions(3, groups, groups.map(decideGroup));
    assert.ok(merged.allowed);
    assert.deepEqual(merged.reports.map((r) => r.remaining), [1, 9, 9]);
  });

  it('refuses when one group refuses: its limits are the refusing ones, the others report their buckets untouched', () => {
    const full = 1000 + 2 * (HOUR / 2); // tight is empty
    const groups = [group([1], [wide], [0], 1000), group([0], [tight], [full], 1000)];
    const merged = mergeDecisions(2, groups, groups.map(decideGroup));
    assert.ok(!merged.allowed);
    assert.deepEqual(merged.refusing, [0]);
    assert.equal(merged.retryAfterMs, (decide([tight], [full], 1000) as { retryAfterMs: number }).retryAfterMs);
    assert.deepEqual(merged.reports.map((r) => r.remaining), [0, 10], 'wide gave no token');
  });
});
