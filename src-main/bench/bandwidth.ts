/**
 * A short memory test: copies a buffer far larger than any CPU cache back and forth and counts the
 * bytes read and written per second. One thread copying is what one decode step's streaming of the
 * weights resembles; the best of a few passes discounts a pass the scheduler interrupted.
 */
export function measureMemoryBandwidth({ bytes = 256 * 1024 * 1024, passes = 4 } = {}): number {
  const source = Buffer.alloc(bytes, 1);
  const target = Buffer.allocUnsafe(bytes);
  source.copy(target);
  let best = 0;
  for (let pass = 0; pass < passes; pass++) {
    const startedAt = process.hrtime.bigint();
    source.copy(target);
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    best = Math.max(best, (2 * bytes) / seconds / 1e9);
  }
  return best;
}
