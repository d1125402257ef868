export { runBenchmark, benchmarkDefaults, type BenchmarkOptions, type BenchmarkMeasurement } from './run';
export { measureMemoryBandwidth } from './bandwidth';
export { statistic, decodeLimitTokensPerSecond } from './stats';
