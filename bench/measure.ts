/**
 * Best-of-rounds mean time per call, in µs (the minimum filters out noise from other work).
 * Shared by the micro-benchmarks (`bench:codec`, `bench:router`).
 */
export function measure(fn: () => unknown, iterations: number, rounds = 7): number {
  for (let i = 0; i < iterations / 10; i++) fn(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations / 1000);
  }
  return best;
}
