import { Worker } from 'node:worker_threads';

/**
 * One worker's part of the memory test: two buffers far larger than any CPU cache, copied back and
 * forth once to touch every page, then `passes` times after the shared start signal; it reports the
 * seconds its copies took. Inline, so the bundled app carries no separate worker file.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, passes, signal } = workerData;
const source = Buffer.alloc(bytes, 1);
const target = Buffer.allocUnsafe(bytes);
source.copy(target);
parentPort.postMessage('ready');
Atomics.wait(new Int32Array(signal), 0, 0);
const startedAt = process.hrtime.bigint();
for (let pass = 0; pass < passes; pass++) (pass % 2 ? target : source).copy(pass % 2 ? source : target);
parentPort.postMessage(Number(process.hrtime.bigint() - startedAt) / 1e9);
`;

/**
 * A short memory test with as many threads as decode uses: each copies its own buffers at once, and
 * the bytes read and written by all of them over the slowest one's time are the bandwidth (GB/s).
 * One thread alone cannot saturate the memory bus (measured here: ~25 GB/s with one thread, ~51 with
 * two), and decoding runs on all of `threads`.
 */
export async function measureMemoryBandwidth({ threads = 1, bytes = 256 * 1024 * 1024, passes = 4 } = {}): Promise<number> {
  const count = Math.max(1, threads);
  const perThread = Math.floor(bytes / count);
  const signal = new SharedArrayBuffer(4);
  const workers = Array.from({ length: count }, () => new Worker(workerSource, { eval: true, workerData: { bytes: perThread, passes, signal } }));
  try {
    const ready = workers.map((worker) => new Promise<void>((resolve, reject) => worker.once('message', () => resolve()).once('error', reject)));
    await Promise.all(ready);
    const seconds = workers.map((worker) => new Promise<number>((resolve, reject) => worker.once('message', (value: number) => resolve(value)).once('error', reject)));
    Atomics.store(new Int32Array(signal), 0, 1);
    Atomics.notify(new Int32Array(signal), 0);
    const slowest = Math.max(...(await Promise.all(seconds)));
    return (2 * perThread * count * passes) / slowest / 1e9;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
