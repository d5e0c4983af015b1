// The Lua scripts of the Redis stores (docs/ratelimit-redis.md). Each runs
// atomically on the node that owns its keys, on that node's clock (TIME), and
// returns numbers as '%.17g' text: the shortest form that reads back as the same
// double, so gcra.ts `decide` run on the returned state reaches the very
// decision the script took (with '%.6f' a bucket at the boundary could be
// admitted by one and refused by the other).
//
// ARGV carries, per bucket i, its emission interval I and capacity C = (requests
// + burst)·I in milliseconds, computed once in JS (`String(number)` round-trips).

const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local function num(x) return string.format('%.17g', x) end
local function store(key, tat) redis.call('SET', key, num(tat), 'PX', math.max(1, math.ceil(tat - now))) end
`;

/**
 * Standalone and sentinel: one script takes from every bucket or from none.
 * KEYS: the buckets. ARGV: I, C per bucket. Returns {allowed, now, TAT before per bucket}.
 * Values written are plain TAT numbers in the keys of today's format, so replicas
 * of the previous release share the buckets during a rolling upgrade.
 */
export const TAKE = `${NOW}
local before = {}
local allowed = 1
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  before[i] = tat
  if tat + interval - now > tonumber(ARGV[2 * i]) then allowed = 0 end
end
local out = { allowed, num(now) }
for i = 1, #KEYS do
  if allowed == 1 then store(KEYS[i], before[i] + tonumber(ARGV[2 * i - 1])) end
  out[#out + 1] = num(before[i])
end
return out
`;

/**
 * Cluster: reads the n buckets KEYS[1..n] and their reservation sets KEYS[n+1..2n]
 * (ZSET: request id -> expiry), purges expired reservations, and sets eff[i] =
 * max(TAT, now) + R·I: the bucket as it will be once the R reservations still
 * outstanding are committed. Admitted iff eff[i] + I - now <= C for every i.
 */
const EFFECTIVE = `${NOW}
local n = #KEYS / 2
local base, eff = {}, {}
local allowed = 1
local function effective(first)
  for i = 1, n do
    local interval = tonumber(ARGV[first + 2 * i - 2])
    local tat = tonumber(redis.call('GET', KEYS[i]) or now)
    if tat < now then tat = now end
    redis.call('ZREMRANGEBYSCORE', KEYS[n + i], '-inf', now)
    base[i] = tat
    eff[i] = tat + redis.call('ZCARD', KEYS[n + i]) * interval
    if eff[i] + interval - now > tonumber(ARGV[first + 2 * i - 1]) then allowed = 0 end
  end
end
local function state(out)
  out[#out + 1] = num(now)
  for i = 1, n do out[#out + 1] = num(eff[i]) end
  return out
end
`;

/**
 * Cluster, every key of the request in one slot: the one-round-trip take, counting
 * reservations held by cross-slot requests. A direct take adds I to max(TAT, now);
 * each reservation adds its own I when it commits.
 * KEYS: n buckets, n reservation sets. ARGV: I, C per bucket. Returns {allowed, now, eff...}.
 */
export const CLUSTER_TAKE = `${EFFECTIVE}
effective(1)
if allowed == 1 then
  for i = 1, n do store(KEYS[i], base[i] + tonumber(ARGV[2 * i - 1])) end
end
return state({ allowed })
`;

/**
 * Cluster, phase 1 of a cross-slot request, one call per slot group: admit as
 * CLUSTER_TAKE does, and if every bucket of the group admits, hold a reservation
 * (request id, expiring after ttl ms) on each instead of taking.
 * ARGV: id, ttl, then I, C per bucket. Returns {allowed, now_r, eff...}.
 */
export const RESERVE = `${EFFECTIVE}
effective(3)
if allowed == 1 then
  local expiry = now + tonumber(ARGV[2])
  for i = 1, n do
    redis.call('ZADD', KEYS[n + i], expiry, ARGV[1])
    redis.call('PEXPIRE', KEYS[n + i], ARGV[2])
  end
end
return state({ allowed })
`;

/**
 * Cluster, phase 2 when every group reserved: the take as of the reserve time
 * now_r (TAT = max(TAT, now_r) + I), reservation removed. A reservation that
 * expired before its commit (the gateway stalled longer than its ttl) was no
 * longer counted by others: the take is then decided afresh, now, like
 * CLUSTER_TAKE; refused, it takes nothing.
 * ARGV: id, now_r, then I, C per bucket. Returns {1} or {0, now, eff...}.
 */
export const COMMIT = `${EFFECTIVE}
local held = 1
for i = 1, n do
  if redis.call('ZREM', KEYS[n + i], ARGV[1]) == 0 then held = 0 end
end
if held == 1 then
  local at = tonumber(ARGV[2])
  for i = 1, n do
    local tat = tonumber(redis.call('GET', KEYS[i]) or at)
    if tat < at then tat = at end
    store(KEYS[i], tat + tonumber(ARGV[2 * i + 1]))
  end
  return { 1 }
end
effective(3)
if allowed == 1 then
  for i = 1, n do store(KEYS[i], base[i] + tonumber(ARGV[2 * i + 1])) end
  return { 1 }
end
return state({ 0 })
`;

/**
 * Cluster, phase 2 when some group refused or failed: the reservation removed,
 * TAT untouched — as if the request never came. KEYS: the n reservation sets. ARGV: id.
 */
export const ABORT = `
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return #KEYS
`;
