export { htmlBlocks, markdownBlocks, plainBlocks, type Block } from './blocks';
export { extractDocument, fileSize, kindOfName, tooLarge, type ExtractedDocument, type ExtractionLimits } from './extract';
export { chunkBlocks, estimateTokens, headingSeparator, type Chunk, type ChunkOptions } from './chunk';
export { documentContext, fuseRankings, fusionConstant, keywordWords, withDocuments, type ContextPiece, type DocumentContext, type FusedChunk, type RankedChunk } from './retrieve';
