import type { BenchmarkResult } from '../api';
import type { Db } from './db';

type Measurement = Omit<BenchmarkResult, 'id' | 'createdAt'>;

/** Every benchmark run, kept per model, quantization, threads, GPU layers and hardware. */
export class BenchmarkStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  add(measurement: Measurement): BenchmarkResult {
    const createdAt = this.now();
    const result = this.db
      .prepare('INSERT INTO benchmarks (created_at, model, quantization, threads, gpu_layers, hardware, result) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(createdAt, measurement.model, measurement.quantization, measurement.threads, measurement.gpuLayers, measurement.hardware, JSON.stringify(measurement));
    return { ...measurement, id: Number(result.lastInsertRowid), createdAt };
  }

  /** Newest first. */
  list(): BenchmarkResult[] {
    const rows = this.db.prepare('SELECT id, created_at, result FROM benchmarks ORDER BY created_at DESC, id DESC').all() as { id: number; created_at: number; result: string }[];
    return rows.map((row) => ({ ...(JSON.parse(row.result) as Measurement), id: row.id, createdAt: row.created_at }));
  }
}
