import { median } from '../api';
import type { Db } from './db';

export interface FitMeasurement {
  deviceKey: string;
  modelFile: string;
  quantization: string | null;
  contextSize: number;
  gpuLayers: number;
  estimatedBytes: number;
  measuredBytes: number;
}

/** How many recent loads on a device the correction looks at. */
const correctionWindow = 20;

/** Estimates next to what loads really used, per device; their ratio corrects later estimates. */
export class FitMeasurements {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  record(measurement: FitMeasurement): void {
    this.db
      .prepare(
        `INSERT INTO fit_measurements (created_at, device_key, model_file, quantization, context_size, gpu_layers, estimated_bytes, measured_bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        this.now(),
        measurement.deviceKey,
        measurement.modelFile,
        measurement.quantization,
        measurement.contextSize,
        measurement.gpuLayers,
        Math.round(measurement.estimatedBytes),
        Math.round(measurement.measuredBytes)
      );
  }

  /** The median of measured ÷ estimated over the device's recent loads, kept within 0.5–2 so one odd load cannot run away with it. */
  correction(deviceKey: string): { factor: number; samples: number } | null {
    const ratios = this.db
      .prepare('SELECT CAST(measured_bytes AS REAL) / estimated_bytes FROM fit_measurements WHERE device_key = ? AND estimated_bytes > 0 ORDER BY id DESC LIMIT ?')
      .pluck()
      .all(deviceKey, correctionWindow) as number[];
    const middle = median(ratios);
    return middle === null ? null : { factor: Math.min(2, Math.max(0.5, middle)), samples: ratios.length };
  }
}
