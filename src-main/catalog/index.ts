export { geometryFromGguf, type ModelGeometry } from './geometry';
export {
  computeBufferBytes,
  fitModel,
  gpuRuntimeReserveBytes,
  gpuSafetyReserve,
  isSlidingWindowLayer,
  kvCacheBytesPerLayer,
  kvCacheTypes,
  largestFittingContext,
  memoryNeeds,
  ramSafetyReserve,
  splitAt,
  type ContextOptions,
  type DeviceBytes,
  type Fit,
  type FitClass,
  type KvCacheType,
  type MemoryBudget,
  type MemoryNeeds,
  type Split
} from './estimator';
