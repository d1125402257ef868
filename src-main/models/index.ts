export { deleteModel, demoModelFileName, importModel, listModels, requireUsable, resolveModelFile } from './library';
export { readGgufHeader, quantizationOf, summarizeGguf, type GgufSummary } from './gguf';
export { writeGguf, encodeGgufHeader, gguf, type GgufSpec, type GgufTensorSpec, type GgufValue } from './ggufWriter';
export { DownloadManager, hubHeaders, hubOptionsFromEnv, resolveSource, diskReserveBytes, partPathOf, flushEveryBytes, transfer, TransferError, type HubOptions } from './downloads';
export { demoReply, ensureDemoModel, writeDemoModel } from './demoModel';
