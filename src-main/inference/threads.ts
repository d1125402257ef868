/**
 * Below this size a token's work is too small to share between threads: on a 2-core machine
 * stories260K decoded at ~700 tok/s on 1 thread and ~80 tok/s on 2 (thread synchronisation dominates).
 */
export const singleThreadModelBytes = 64 * 1024 * 1024;

/**
 * The CPU thread count is always chosen here and passed explicitly: node-llama-cpp's own default
 * (4 threads) made generation ~400x slower on a 2-core machine.
 */
export function chooseThreads(options: { override?: number; physicalCores: number; modelBytes: number }): number {
  if (options.override && options.override > 0) return Math.floor(options.override);
  if (options.modelBytes < singleThreadModelBytes) return 1;
  return Math.max(1, options.physicalCores);
}

export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.HEARTH_THREADS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
