/** Benchmark results: the figures as JSON, with what they are compared by as columns. */
export const benchmarks = `
CREATE TABLE benchmarks (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  model TEXT NOT NULL,
  quantization TEXT,
  threads INTEGER NOT NULL,
  gpu_layers INTEGER NOT NULL,
  hardware TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE INDEX benchmarks_by_model ON benchmarks (model, created_at);
`;
