import { describe, expect, it } from 'vitest';
import { measureMemoryBandwidth } from '../../src-main/bench/bandwidth';

describe('memory bandwidth test', () => {
  it('runs its copies on as many worker threads as decode uses and reports GB/s', async () => {
    for (const threads of [1, 2]) {
      const gbPerSecond = await measureMemoryBandwidth({ threads, bytes: 32 * 1024 * 1024, passes: 2 });
      expect(Number.isFinite(gbPerSecond), `${threads} threads`).toBe(true);
      expect(gbPerSecond).toBeGreaterThan(0.1);
    }
  });
});
