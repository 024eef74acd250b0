// `node bench/ioredis-only.mjs` (Redis on 127.0.0.1:6379): ioredis alone, the two commands of a
// store-mode read + write (HGETALL, then EVALSHA of a small script), 50 "requests" in flight,
// auto-pipelining on (PIPE=0: off): client CPU per pair, what RedisStore cannot go below.
import { Redis } from 'ioredis';

const N = Number(process.env.N ?? 40000),
  C = 50;
const r = new Redis('redis://127.0.0.1:6379', { enableAutoPipelining: process.env.PIPE !== '0' });
const lua =
  "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); redis.call('PEXPIRE', KEYS[1], 60000); return {redis.call('PTTL', KEYS[1]), false}";
const sha = await r.script('LOAD', lua);
const key = 'iobench:s:{abcdefghijklmnopqrstuvwx}';
await r.hset(
  key,
  'count',
  '1',
  '_meta',
  JSON.stringify({ createdAt: 1, lastSeenAt: 1, userAgent: 'wrk', ip: '127.0.0.1' }),
);
let done = 0;
const one = async () => {
  const h = await r.hgetall(key);
  await r.evalsha(sha, 2, key, `${key}:user`, 'count', String(Number(h.count) + 1));
};
for (let i = 0; i < 2000; i++) await one();
const t0 = process.cpuUsage(),
  w0 = performance.now();
await Promise.all(
  Array.from({ length: C }, async () => {
    while (done < N) {
      done++;
      await one();
    }
  }),
);
const cpu = process.cpuUsage(t0),
  wall = performance.now() - w0;
console.log(
  `ioredis only (pipelining ${process.env.PIPE !== '0'}): cpu_us/pair=${((cpu.user + cpu.system) / N).toFixed(1)} wall_us/pair=${((wall * 1000) / N).toFixed(1)}`,
);
await r.del(key);
r.disconnect();
