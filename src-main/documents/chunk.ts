import type { Block } from './blocks';

/** A piece of a document small enough to embed and to quote in a prompt, with where it sits. */
export interface Chunk {
  /** 0-based order in its document. */
  position: number;
  text: string;
  page: number | null;
  /** The heading path, outermost first, joined with " › "; '' for none. */
  heading: string;
  /** Its length by `countTokens`. */
  tokens: number;
}

export interface ChunkOptions {
  /** The most tokens a chunk holds (a single word longer than that is still one piece). */
  chunkTokens: number;
  /** Tokens of the previous chunk's end repeated at the start of the next, within one section. */
  overlapTokens: number;
  /** The embedding model's token count of a text (without special tokens), or an estimate. */
  countTokens: (text: string) => number;
}

/** Where a chunk may not cross: a page or a heading change. */
export const headingSeparator = ' › ';

/**
 * About four characters per token: what English text averages on the BPE vocabularies of current models.
 * Used when no embedding model is set, so chunks still have a size without one loaded.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Cuts a document's blocks into chunks. Hearth's own splitter, not a library's: the well-kept ones
 * (LangChain's text splitters) are heavy and lose the page and heading a chunk comes from, which the
 * sources need. What it does:
 * - a section is a run of blocks with one page and one heading path; chunks never cross sections;
 * - within a section, whole paragraphs are packed while they fit `chunkTokens`;
 * - a paragraph larger than that is cut at sentence ends, and a sentence larger than that at spaces;
 * - the next chunk of a section starts with the last pieces of the one before, up to `overlapTokens`.
 * Token counts are the model's for each piece, summed (the joins are not counted: a chunk may exceed its
 * budget by a token per join, which the embedding context's room absorbs).
 */
export function chunkBlocks(blocks: Block[], options: ChunkOptions): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of sectionsOf(blocks)) {
    const pieces = section.blocks.flatMap((block, paragraph) => piecesOf(block.text, paragraph, options));
    let current: Piece[] = [];
    let tokens = 0;
    const emit = () => {
      // Pieces of one paragraph join with a space, paragraphs with a blank line, as they were.
      const text = current.map((piece, index) => (index === 0 ? '' : piece.paragraph === current[index - 1].paragraph ? ' ' : '\n\n') + piece.text).join('');
      chunks.push({ position: chunks.length, text, page: section.page, heading: section.heading, tokens });
    };
    for (const piece of pieces) {
      if (current.length > 0 && tokens + piece.tokens > options.chunkTokens) {
        emit();
        const overlap: Piece[] = [];
        let overlapTokens = 0;
        for (let index = current.length - 1; index >= 0 && overlapTokens + current[index].tokens <= options.overlapTokens; index--) {
          overlap.unshift(current[index]);
          overlapTokens += current[index].tokens;
        }
        // Overlap never fills the new chunk: the piece that did not fit must still go in.
        while (overlap.length > 0 && overlapTokens + piece.tokens > options.chunkTokens) overlapTokens -= overlap.shift()!.tokens;
        current = overlap;
        tokens = overlapTokens;
      }
      current.push(piece);
      tokens += piece.tokens;
    }
    if (current.length > 0) emit();
  }
  return chunks;
}

interface Piece {
  text: string;
  tokens: number;
  /** Which paragraph of its section it comes from. */
  paragraph: number;
}

function sectionsOf(blocks: Block[]): { page: number | null; heading: string; blocks: Block[] }[] {
  const sections: { page: number | null; heading: string; blocks: Block[] }[] = [];
  for (const block of blocks) {
    const heading = block.headings.join(headingSeparator);
    const last = sections.at(-1);
    if (last && last.page === block.page && last.heading === heading) last.blocks.push(block);
    else sections.push({ page: block.page, heading, blocks: [block] });
  }
  return sections;
}

/** A paragraph as pieces that each fit a chunk: itself, else its sentences, else runs of words. */
function piecesOf(text: string, paragraph: number, options: ChunkOptions): Piece[] {
  const tokens = options.countTokens(text);
  if (tokens <= options.chunkTokens) return [{ text, tokens, paragraph }];
  const sentences = text.split(/(?<=[.!?…。！？])\s+/).filter(Boolean);
  return sentences.flatMap((sentence) => {
    const sentenceTokens = options.countTokens(sentence);
    if (sentenceTokens <= options.chunkTokens) return [{ text: sentence, tokens: sentenceTokens, paragraph }];
    return wordRuns(sentence, paragraph, options);
  });
}

/** A sentence too long for a chunk, as runs of whole words that each fit (a longer single word stays whole). */
function wordRuns(sentence: string, paragraph: number, options: ChunkOptions): Piece[] {
  const runs: Piece[] = [];
  let words: string[] = [];
  for (const word of sentence.split(/\s+/).filter(Boolean)) {
    const candidate = [...words, word].join(' ');
    if (words.length > 0 && options.countTokens(candidate) > options.chunkTokens) {
      const text = words.join(' ');
      runs.push({ text, tokens: options.countTokens(text), paragraph });
      words = [word];
    } else words.push(word);
  }
  if (words.length > 0) {
    const text = words.join(' ');
    runs.push({ text, tokens: options.countTokens(text), paragraph });
  }
  return runs;
}
