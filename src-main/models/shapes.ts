/**
 * GGUF files with the shapes of real models, made with Hearth's own GGUF writer: header-only ones are
 * the fit estimator's fixtures; whole ones (zero weights) load and run at the real model's speed and
 * memory (`hearth shape-model`, `npm run bench`). The numbers are the models' published config.json values.
 */
import { closeSync, existsSync, openSync, readSync, renameSync } from 'node:fs';
import { ApiError } from '../api';
import type { GgmlTypeName } from '../catalog';
import { gguf, ggufMatches, writeGguf, type GgufTensorSpec, type GgufValue } from './ggufWriter';
import { byteTokenTexts } from './vocabulary';

export interface ModelShape {
  name: string;
  architecture: 'llama' | 'qwen3' | 'gemma3' | 'qwen3moe';
  layers: number;
  embedding: number;
  feedForward: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  contextLength: number;
  slidingWindow?: number;
  experts?: { count: number; used: number; feedForward: number };
  tiedOutput?: boolean;
  /** The vocabulary ends with this family's special tokens at their real ids (see fixtureVocabulary). */
  specialTokens?: 'llama3';
}

export const shapes = {
  llama2_7b: { name: 'Llama 2 7B', architecture: 'llama', layers: 32, embedding: 4096, feedForward: 11008, heads: 32, kvHeads: 32, headDim: 128, vocab: 32000, contextLength: 4096 },
  llama32_1b: { name: 'Llama 3.2 1B', architecture: 'llama', layers: 16, embedding: 2048, feedForward: 8192, heads: 32, kvHeads: 8, headDim: 64, vocab: 128256, contextLength: 131072, tiedOutput: true, specialTokens: 'llama3' },
  llama31_8b: { name: 'Llama 3.1 8B', architecture: 'llama', layers: 32, embedding: 4096, feedForward: 14336, heads: 32, kvHeads: 8, headDim: 128, vocab: 128256, contextLength: 131072, specialTokens: 'llama3' },
  qwen3_8b: { name: 'Qwen3 8B', architecture: 'qwen3', layers: 36, embedding: 4096, feedForward: 12288, heads: 32, kvHeads: 8, headDim: 128, vocab: 151936, contextLength: 40960 },
  gemma3_4b: { name: 'Gemma 3 4B', architecture: 'gemma3', layers: 34, embedding: 2560, feedForward: 10240, heads: 8, kvHeads: 4, headDim: 256, vocab: 262208, contextLength: 131072, slidingWindow: 1024, tiedOutput: true },
  qwen3_30b_a3b: { name: 'Qwen3 30B A3B', architecture: 'qwen3moe', layers: 48, embedding: 2048, feedForward: 6144, heads: 32, kvHeads: 4, headDim: 128, vocab: 151936, contextLength: 40960, experts: { count: 128, used: 8, feedForward: 768 } }
} satisfies Record<string, ModelShape>;

/** Roughly llama.cpp's Q4_K_M mix: Q6_K for the output and the value/down projections, Q4_K elsewhere. */
export type QuantMix = 'Q4_K_M' | 'Q8_0' | 'F16';

function typeFor(mix: QuantMix, role: 'output' | 'embed' | 'v' | 'down' | 'other'): GgmlTypeName {
  if (mix === 'F16') return 'F16';
  if (mix === 'Q8_0') return 'Q8_0';
  return role === 'output' || role === 'v' || role === 'down' ? 'Q6_K' : 'Q4_K';
}

export function shapeTensors(shape: ModelShape, mix: QuantMix): GgufTensorSpec[] {
  const { embedding: e, heads, kvHeads, headDim: d, feedForward: ff, vocab } = shape;
  const tensors: GgufTensorSpec[] = [{ name: 'token_embd.weight', shape: [e, vocab], type: typeFor(mix, 'embed') }];
  const norm = (name: string, size = e): GgufTensorSpec => ({ name, shape: [size], type: 'F32' });
  for (let layer = 0; layer < shape.layers; layer++) {
    const blk = `blk.${layer}`;
    tensors.push(
      norm(`${blk}.attn_norm.weight`),
      { name: `${blk}.attn_q.weight`, shape: [e, heads * d], type: typeFor(mix, 'other') },
      { name: `${blk}.attn_k.weight`, shape: [e, kvHeads * d], type: typeFor(mix, 'other') },
      { name: `${blk}.attn_v.weight`, shape: [e, kvHeads * d], type: typeFor(mix, 'v') },
      { name: `${blk}.attn_output.weight`, shape: [heads * d, e], type: typeFor(mix, 'other') },
      norm(`${blk}.ffn_norm.weight`)
    );
    if (shape.architecture !== 'llama') tensors.push(norm(`${blk}.attn_q_norm.weight`, d), norm(`${blk}.attn_k_norm.weight`, d));
    if (shape.architecture === 'gemma3') tensors.push(norm(`${blk}.post_attention_norm.weight`), norm(`${blk}.post_ffw_norm.weight`));
    if (shape.experts) {
      const { count, feedForward: eff } = shape.experts;
      tensors.push(
        { name: `${blk}.ffn_gate_inp.weight`, shape: [e, count], type: 'F32' },
        { name: `${blk}.ffn_gate_exps.weight`, shape: [e, eff, count], type: typeFor(mix, 'other') },
        { name: `${blk}.ffn_up_exps.weight`, shape: [e, eff, count], type: typeFor(mix, 'other') },
        { name: `${blk}.ffn_down_exps.weight`, shape: [eff, e, count], type: typeFor(mix, 'down') }
      );
    } else {
      tensors.push(
        { name: `${blk}.ffn_gate.weight`, shape: [e, ff], type: typeFor(mix, 'other') },
        { name: `${blk}.ffn_up.weight`, shape: [e, ff], type: typeFor(mix, 'other') },
        { name: `${blk}.ffn_down.weight`, shape: [ff, e], type: typeFor(mix, 'down') }
      );
    }
  }
  tensors.push(norm('output_norm.weight'));
  if (!shape.tiedOutput) tensors.push({ name: 'output.weight', shape: [e, vocab], type: typeFor(mix, 'output') });
  return tensors;
}

const fileTypes: Record<QuantMix, number> = { F16: 1, Q8_0: 7, Q4_K_M: 15 };

/** Token texts with their llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte. */
type TokenEntry = [text: string, type: number];

// Printable ASCII, then SentencePiece's space.
const characters: TokenEntry[] = [...Array.from({ length: 94 }, (_, index) => String.fromCharCode(33 + index)), '\u2581'].map((text) => [text, 1]);
const controlTokens: TokenEntry[] = [['<unk>', 2], ['<s>', 3], ['</s>', 3]];
const byteTokens = byteTokenTexts.map((text): TokenEntry => [text, 6]);
/** Llama 3's 256 special tokens, at its ids 128000 to 128255. */
const llama3Special: TokenEntry[] = Array.from({ length: 256 }, (_, index) => {
  const named = ['<|begin_of_text|>', '<|end_of_text|>', '<|reserved_special_token_0|>', '<|reserved_special_token_1|>', '<|finetune_right_pad_id|>', '<|reserved_special_token_2|>', '<|start_header_id|>', '<|end_header_id|>', '<|eom_id|>', '<|eot_id|>', '<|python_tag|>'];
  return [named[index] ?? `<|reserved_special_token_${index - 8}|>`, 3];
});

/**
 * A SentencePiece-style vocabulary llama.cpp accepts, of the shape's size. It starts with single
 * characters because a model with zero weights gives every token the same logit and greedy decoding
 * then picks id 0: that token ('!') must come back as itself when the reply is tokenized again, as a
 * real model's reply does, or a conversation's next turn cannot reuse the evaluated history. Then
 * unknown, BOS, EOS and the 256 byte tokens (every other character falls back to its UTF-8 bytes), and
 * plain pieces no text reaches. A Llama 3 shape's vocabulary ends with Llama 3's special tokens at their
 * ids, so its chat template's markers are one token each, as in the real model.
 */
function fixtureVocabulary(shape: ModelShape): { entries: TokenEntry[]; unknown: number; bos: number; eos: number } {
  const fixed = [...characters, ...controlTokens, ...byteTokens];
  const special = shape.specialTokens === 'llama3' ? llama3Special : [];
  const firstSpecial = shape.vocab - special.length;
  const entries = Array.from({ length: shape.vocab }, (_, index): TokenEntry => (index >= firstSpecial ? special[index - firstSpecial] : (fixed[index] ?? [`\u2581t${index}`, 1])));
  const unknown = characters.length;
  // Llama 3 Instruct's: <|begin_of_text|>, and <|eot_id|> ends a reply.
  return special.length ? { entries, unknown, bos: firstSpecial, eos: firstSpecial + 9 } : { entries, unknown, bos: unknown + 1, eos: unknown + 2 };
}

export function shapeMetadata(shape: ModelShape, mix: QuantMix): Record<string, GgufValue> {
  const arch = shape.architecture;
  const vocabulary = fixtureVocabulary(shape);
  return {
    'general.architecture': gguf.string(arch),
    // First, so `ensureShapeModel` can tell its own files from anything else at a path.
    [shapeModelMarker]: gguf.string(shape.name),
    'general.name': gguf.string(shape.name),
    'general.file_type': gguf.u32(fileTypes[mix]),
    [`${arch}.block_count`]: gguf.u32(shape.layers),
    [`${arch}.context_length`]: gguf.u32(shape.contextLength),
    [`${arch}.embedding_length`]: gguf.u32(shape.embedding),
    [`${arch}.feed_forward_length`]: gguf.u32(shape.feedForward),
    [`${arch}.attention.head_count`]: gguf.u32(shape.heads),
    [`${arch}.attention.head_count_kv`]: gguf.u32(shape.kvHeads),
    [`${arch}.attention.key_length`]: gguf.u32(shape.headDim),
    [`${arch}.attention.value_length`]: gguf.u32(shape.headDim),
    [`${arch}.attention.layer_norm_rms_epsilon`]: gguf.f32(1e-6),
    [`${arch}.rope.freq_base`]: gguf.f32(10000),
    ...(shape.slidingWindow ? { [`${arch}.attention.sliding_window`]: gguf.u32(shape.slidingWindow) } : {}),
    ...(shape.experts
      ? {
          [`${arch}.expert_count`]: gguf.u32(shape.experts.count),
          [`${arch}.expert_used_count`]: gguf.u32(shape.experts.used),
          [`${arch}.expert_feed_forward_length`]: gguf.u32(shape.experts.feedForward)
        }
      : {}),
    'tokenizer.ggml.model': gguf.string('llama'),
    'tokenizer.ggml.tokens': gguf.array('string', vocabulary.entries.map(([text]) => text)),
    'tokenizer.ggml.scores': gguf.array('f32', vocabulary.entries.map(() => 0)),
    'tokenizer.ggml.token_type': gguf.array('i32', vocabulary.entries.map(([, type]) => type)),
    'tokenizer.ggml.unknown_token_id': gguf.u32(vocabulary.unknown),
    'tokenizer.ggml.bos_token_id': gguf.u32(vocabulary.bos),
    'tokenizer.ggml.eos_token_id': gguf.u32(vocabulary.eos)
  };
}

export function writeShapeFixture(path: string, shape: ModelShape, mix: QuantMix = 'Q4_K_M'): GgufTensorSpec[] {
  const tensors = shapeTensors(shape, mix);
  writeGguf(path, { metadata: shapeMetadata(shape, mix), tensors, headerOnly: true });
  return tensors;
}

/** A whole model of `shape` with zero weights, as a sparse file: the library lists it as whole, yet it takes no disk. */
export function writeSparseShapeFixture(path: string, shape: ModelShape, mix: QuantMix = 'Q4_K_M'): void {
  writeGguf(path, { metadata: shapeMetadata(shape, mix), tensors: shapeTensors(shape, mix), sparse: true });
}

/**
 * Makes `path` a whole, loadable model of `shape` at `mix` whose weights are all zeros, unless it
 * already is exactly that file (header and size): returns whether it wrote. Written beside `path` and
 * renamed, so an interrupted run never leaves a file that looks whole. Any other file at `path` is never
 * replaced: a FORBIDDEN error says so.
 *
 * Sparse: zeros cost llama.cpp's CPU kernels as much as real weights, and measured on a Llama-3.2-1B
 * shape at Q4_K_M, a sparse file and one of written zeros load alike once cached (the holes are read
 * into the page cache as zero pages: all 736 MiB resident after a load, the same process memory and
 * load time), so writing 736 MiB of zeros would buy nothing but disk use. Only a cold first load
 * differs (no disk reads for a hole); the benchmark times warm loads.
 */
/** The metadata key that marks a file as written by `ensureShapeModel` (its value: the shape's name). */
const shapeModelMarker = 'hearth.shape_model';

/** Whether the file at `path` is a GGUF whose header carries the shape-model marker (it comes in the first keys). */
function isShapeModel(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const read = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, 4).toString('latin1') === 'GGUF' && head.subarray(0, read).includes(shapeModelMarker, 0, 'latin1');
  } finally {
    closeSync(fd);
  }
}

export function ensureShapeModel(path: string, shape: ModelShape, mix: QuantMix): boolean {
  const spec = { metadata: shapeMetadata(shape, mix), tensors: shapeTensors(shape, mix), sparse: true };
  if (ggufMatches(path, spec)) return false;
  if (existsSync(path) && !isShapeModel(path)) {
    throw new ApiError('FORBIDDEN', `${path} exists and is not a model hearth shape-model wrote: it is left as it is. Choose another --out.`);
  }
  const partial = `${path}.partial`;
  writeGguf(partial, spec);
  renameSync(partial, path);
  return true;
}
