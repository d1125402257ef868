export { geometryFromGguf, type ModelGeometry } from './geometry';
export { ggmlTypes, ggmlTypeName, tensorBytes, type GgmlTypeName } from './ggml';
export {
  computeBufferBytes,
  fitModel,
  gpuRuntimeReserveBytes,
  gpuSafetyReserve,
  isSlidingWindowLayer,
  kvCacheBytesPerLayer,
  largestFittingContext,
  memoryNeeds,
  ramSafetyReserve,
  splitAt,
  type ContextOptions,
  type DeviceBytes,
  type Fit,
  type KvCacheType,
  type MemoryBudget,
  type MemoryNeeds,
  type Split
} from './estimator';
export { parseCatalog, geometryFromCatalog, bitsPerWeight, type Catalog, type CatalogModel, type CatalogFile, type QuantizationFact } from './catalog';
export { budgetFrom, fitReport, qualityNote, recommend, usableTokensPerSecond, type Correction, type FitOptions } from './recommend';
export { explainFit, formatBytes, formatGiB, contextLabel, speedPhrase } from './explain';
export { activeWeightFraction, bytesPerGeneratedToken, defaultCpuBandwidthGbPerSecond, estimateDecodeSpeed, gpuBandwidth, gpuBandwidthTable } from './speed';
export { builtInCatalog } from './builtIn';
export { nodeLlamaCppEstimate } from './dryRun';
export { calculateMemory, bytesPerWeight, type CalculatorInput } from './calculator';
