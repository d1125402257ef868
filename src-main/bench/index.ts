export { runBenchmark } from './run';
export { statistic, decodeLimitTokensPerSecond } from './stats';
