export { listModels, resolveModelFile } from './library';
export { readGgufHeader, quantizationOf, summarizeGguf, type GgufSummary } from './gguf';
