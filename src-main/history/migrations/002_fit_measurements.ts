export const fitMeasurements = `
CREATE TABLE fit_measurements (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  device_key TEXT NOT NULL,
  model_file TEXT NOT NULL,
  quantization TEXT,
  context_size INTEGER NOT NULL,
  gpu_layers INTEGER NOT NULL,
  estimated_bytes INTEGER NOT NULL,
  measured_bytes INTEGER NOT NULL
);
CREATE INDEX fit_measurements_by_device ON fit_measurements (device_key, id DESC);
`;
