export { deleteModel, demoModelFileName, importModel, listModels, requireUsable, resolveModelFile } from './library';
export { readGgufHeader, quantizationOf } from './gguf';
export { groupSplitSets, modelBytes, splitPartNames, splitPartOf, type SplitPart, type SplitSet } from './splitParts';
export { writeGguf, encodeGgufHeader, gguf, type GgufTensorSpec, type GgufValue } from './ggufWriter';
export { ensureShapeModel, shapes, shapeMetadata, shapeTensors, writeShapeFixture, writeSparseShapeFixture, type ModelShape, type QuantMix } from './shapes';
export { DownloadManager, hubHeaders, hubOptionsFromEnv, partPathOf, type HubOptions } from './downloads';
export { demoReply, ensureDemoModel, writeDemoModel } from './demoModel';
export { gatedAccess, groupGgufFiles, listRepository, nextPageOf, quantizationOfName, repositoryInfo, searchHub, searchUrl, sortRepositories, type GgufFileSet, type GgufGroup, type HubTreeEntry } from './hub';
