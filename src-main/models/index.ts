export { deleteModel, importModel, listModels, requireUsable, resolveModelFile } from './library';
export { readGgufHeader, quantizationOf, summarizeGguf, type GgufSummary } from './gguf';
export { writeGguf, encodeGgufHeader, tensorBytes, gguf, ggmlTypes, type GgufSpec, type GgufTensorSpec, type GgufValue, type GgmlTypeName } from './ggufWriter';
export { DownloadManager, DownloadStore, hubHeaders, hubOptionsFromEnv, resolveSource, diskReserveBytes, partPathOf, flushEveryBytes, transfer, TransferError, type HubOptions } from './downloads';
export { demoModelFileName, demoReply, ensureDemoModel, writeDemoModel } from './demoModel';
