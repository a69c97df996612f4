/**
 * The shared token bucket, as one Lua script that Redis runs atomically. bottleneck's clustered
 * reservoir takes a weight per call, but it cannot do the rest of what Bedrock's token quota does:
 * give back what a call did not use when it ends, never above the bucket's size
 * (`incrementReservoir` is not capped), and give back the reservation of a runner that died before
 * it could settle. So the token part lives here, in Redis itself, and the pacing of call starts
 * stays on bottleneck.
 *
 * Keys: KEYS[1] a hash {level, last} (tokens in the bucket, and when it was last refilled, in
 * Redis's clock); KEYS[2] a sorted set of open reservations scored by when they expire; KEYS[3] a
 * hash from reservation to the tokens to give back if it expires unsettled.
 *
 * ARGV: op ('take' | 'settle' | 'held'), tokens per ms, capacity (what tokens given back may fill it
 * to), start (where a new bucket starts, and what refill fills it to), then
 *   take:   id, tokens needed, ttl ms, tokens to give back on expiry
 *           -> {1, level} taken; {0, ms to wait} not enough tokens yet
 *   settle: id, tokens to give back -> {1, level}; {0, level} when the reservation had expired
 *   held:   -> {open reservations, level}
 *
 * Every call first gives back expired reservations and refills by the time passed, so a dead
 * runner's tokens come back with the next call of any runner. Time is Redis's (`TIME`), so runners
 * on hosts with skewed clocks still share one bucket. The rate and capacity come with each call:
 * runners told different quotas share one bucket at the last caller's settings.
 */
export const TOKEN_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op, perMs, capacity, start = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local level = tonumber(redis.call('HGET', KEYS[1], 'level'))
local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
if level == nil then level = start; last = now end

local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(expired) do
  level = level + (tonumber(redis.call('HGET', KEYS[3], id)) or 0)
  redis.call('HDEL', KEYS[3], id)
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) end
level = math.min(math.max(capacity, start), level)
-- Refill fills to \`start\` (one second's worth); tokens given back may take it up to capacity.
if level < start then level = math.min(start, level + math.max(0, now - last) * perMs) end

local result
if op == 'take' then
  local need = tonumber(ARGV[6])
  if level >= need then
    level = level - need
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), ARGV[5])
    redis.call('HSET', KEYS[3], ARGV[5], ARGV[8])
    result = {1, math.floor(level)}
  else
    result = {0, math.ceil((need - level) / perMs)}
  end
elseif op == 'settle' then
  local open = redis.call('ZREM', KEYS[2], ARGV[5])
  redis.call('HDEL', KEYS[3], ARGV[5])
  if open == 1 then level = math.min(capacity, level + tonumber(ARGV[6])) end
  result = {open, math.floor(level)}
else
  result = {redis.call('ZCARD', KEYS[2]), math.floor(level)}
end

redis.call('HSET', KEYS[1], 'level', tostring(level), 'last', now)
-- An idle bucket is full again after capacity / rate: no key is kept much longer than that (the
-- reservations as long as the last one taken may stay open).
local keep = math.ceil(capacity / perMs) + 60000
redis.call('PEXPIRE', KEYS[1], keep)
if op == 'take' and result[1] == 1 then
  redis.call('PEXPIRE', KEYS[2], keep + tonumber(ARGV[7]))
  redis.call('PEXPIRE', KEYS[3], keep + tonumber(ARGV[7]))
end
return result
`;

/**
 * The shared pacing of call starts, as one Lua script: one theoretical arrival time (`tat`) for
 * every runner on the key, so the turns they are given are spaced by the interval whoever asks,
 * and a turn that starts late (a busy event loop, a slow round trip) is made up by the next one
 * instead of lost: a turn may start up to one interval behind the schedule, as the local pacing
 * (rate.ts) keeps one start saved up. The interval is the larger of the caller's `--rpm` and the
 * adaptive rate every runner shares (field `rate`, calls per second for all of them together), so
 * a runner that joins paces at what the others learned, and one cut slows them all.
 *
 * KEYS[1] a hash {tat, rate, quota, cuts}. ARGV: op ('turn' | 'rate'), then
 *   turn: the caller's own least interval in ms (from --rpm; 0 for none)
 *         -> {ms to wait before starting ('-1' when nothing paces), the shared rate ('0': none),
 *             the quota's rate last measured by any runner ('0': none), cuts}
 *   rate: calls per second (0 lifts it), the quota's measured rate if this sets it (or ''), the
 *         count of rates set (`cuts`) the caller last heard or '' for a rate set outright, and
 *         'raise' for a climb or ''. A rate given a count is written only if no rate was set
 *         since the caller heard: a climb from a rate another runner has since cut would undo
 *         the cut, and the throttles it answered come back; a cut from throttles another runner
 *         has already cut for would cut again, deeper, from what that runner read less of. A
 *         climb is also written only if it is higher (two runners climbing from one rate each
 *         write it, and the lower must not undo the higher), and is not counted.
 *         -> {'0' (written) or '1' (refused), the rate now, the measured rate, cuts}
 * (numbers as strings: Redis would drop their fractions)
 */
export const PACE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local result
local cuts = tonumber(redis.call('HGET', KEYS[1], 'cuts')) or 0
if ARGV[1] == 'rate' then
  local rate = ARGV[2]
  local current = redis.call('HGET', KEYS[1], 'rate')
  if ARGV[4] ~= '' and tonumber(ARGV[4]) < cuts then
    return {'1', current or '0', redis.call('HGET', KEYS[1], 'quota') or '0', tostring(cuts)}
  end
  if ARGV[5] == 'raise' then
    if current and (tonumber(current) or 0) > tonumber(rate) then rate = current end
  else
    cuts = cuts + 1
    redis.call('HSET', KEYS[1], 'cuts', tostring(cuts))
  end
  redis.call('HSET', KEYS[1], 'rate', rate)
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'quota', ARGV[3]) end
  result = {'0', rate, redis.call('HGET', KEYS[1], 'quota') or '0', tostring(cuts)}
else
  local rate = tonumber(redis.call('HGET', KEYS[1], 'rate')) or 0
  local quota = redis.call('HGET', KEYS[1], 'quota') or '0'
  local interval = tonumber(ARGV[2])
  if rate > 0 then interval = math.max(interval, 1000 / rate) end
  if interval <= 0 then
    result = {'-1', tostring(rate), quota, tostring(cuts)}
  else
    local tat = tonumber(redis.call('HGET', KEYS[1], 'tat')) or now
    local start = math.max(tat, now - interval)
    redis.call('HSET', KEYS[1], 'tat', tostring(start + interval))
    result = {tostring(math.max(0, start - now)), tostring(rate), quota, tostring(cuts)}
  end
end
redis.call('PEXPIRE', KEYS[1], 600000)
return result
`;

/**
 * Who shares the quota and what it let through, sampled by each runner a few times a second:
 * KEYS[1] a hash of what every runner counted (calls started, ok, throttled), KEYS[2] a sorted set
 * of runners by when they last sampled (Redis's clock). ARGV: runner id, then its calls started,
 * ok and throttled since its last sample -> {calls, ok, throttled counted in all, runners seen
 * within the last 2 s}.
 */
export const SHARE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local calls = redis.call('HINCRBY', KEYS[1], 'calls', ARGV[2])
local ok = redis.call('HINCRBY', KEYS[1], 'ok', ARGV[3])
local throttled = redis.call('HINCRBY', KEYS[1], 'throttled', ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 2000)
redis.call('PEXPIRE', KEYS[1], 600000)
redis.call('PEXPIRE', KEYS[2], 600000)
return {calls, ok, throttled, redis.call('ZCARD', KEYS[2])}
`;
