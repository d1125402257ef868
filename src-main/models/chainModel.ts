/**
 * A GGUF whose greedy reply is a chosen chain of tokens: one block whose attention and feed-forward
 * weights are all zero, so the residual stream at a position is just the current token's (one-hot)
 * embedding, and an output matrix that gives each token's successor a large logit. Hearth's demo model
 * is one; tests build probe models the same way, with a real architecture's tensor names and a real
 * chat template, to exercise reasoning segments, tool calls and control tokens deterministically.
 */
import { switchDimensions, switchTensors, type ChainSwitch } from './chainSwitches';
import { gguf, writeGguf, type GgufTensorSpec, type GgufValue } from './ggufWriter';
import { byteTokenTexts } from './vocabulary';

export type { ChainSwitch } from './chainSwitches';

/** SentencePiece spells a space as U+2581. */
export const spmSpace = '\u2581';

export interface ChainModelSpec {
  name: string;
  description: string;
  /** llama.cpp architecture: both use llama's tensors; qwen3 adds per-head query and key norms. */
  architecture: 'llama' | 'qwen3';
  /** Tokens llama.cpp treats as control (type 3), beyond <unk>, <s> and </s>: role markers, <|im_end|>… */
  controlTokens: readonly string[];
  /** Tokens a converter marks user-defined (type 4): special in a template, e.g. Qwen3's <think>. */
  userDefinedTokens?: readonly string[];
  /** Ordinary vocabulary pieces (SPM: `spmSpace` for a space), each once; the chain uses some of them. */
  pieces: readonly string[];
  /**
   * What follows each token: `next[token]` for the tokens named, `otherwise` for every other one. So
   * whatever ends a prompt (usually not named) starts the reply, and the reply runs its chain.
   */
  next: Readonly<Record<string, string>>;
  otherwise: string;
  /** End of sequence; follows itself. */
  eos: string;
  chatTemplate: string;
  contextLength?: number;
  /**
   * SentencePiece's dummy prefix: a space before the text. On for llama (the demo); off for
   * architectures whose real tokenizers have none (Qwen's BPE), so "\n" after a special token stays "\n".
   */
  addSpacePrefix?: boolean;
  /**
   * Adds every prefix of every piece to the vocabulary. SentencePiece builds tokens from text by merging
   * neighbours whose joined text is a token, so without the prefixes text tokenizes to single characters;
   * with them, a reply the model wrote tokenizes back to its pieces (continuing a reply needs that).
   * Off for the demo model, whose bytes stay as they shipped.
   */
  roundTrip?: boolean;
  /** Successors that change once a token has appeared in the context (see chainSwitches.ts): a tool's result, say. */
  switches?: readonly ChainSwitch[];
}

const specialTokens = ['<unk>', '<s>', '</s>'];

const heads = 6;
const feedForward = 64;
/**
 * The successor's logit over every other token's 0: even at temperature 2 the runner-up has a
 * probability of about e^-20, so any sampling settings pick the chain.
 */
const logit = 40;

function f32(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The proper prefixes (two characters or more) of the pieces that are not pieces themselves, each once. */
function prefixesOf(pieces: readonly string[]): string[] {
  const known = new Set(pieces);
  const prefixes = new Set<string>();
  for (const piece of pieces) {
    const characters = [...piece];
    for (let length = 2; length < characters.length; length++) {
      const prefix = characters.slice(0, length).join('');
      if (!known.has(prefix)) prefixes.add(prefix);
    }
  }
  return [...prefixes];
}

/** The vocabulary in order: specials, bytes, control, user-defined, pieces; and each token's llama.cpp type. */
function vocabulary(spec: ChainModelSpec): { tokens: string[]; types: number[] } {
  const groups: [readonly string[], number][] = [
    [specialTokens, 3],
    [byteTokenTexts, 6],
    [spec.controlTokens, 3],
    [spec.userDefinedTokens ?? [], 4],
    [spec.pieces, 1],
    [spec.roundTrip ? prefixesOf(spec.pieces) : [], 1]
  ];
  const tokens = groups.flatMap(([group]) => group);
  const types = groups.flatMap(([group, type]) => group.map(() => type));
  types[0] = 2;
  const duplicate = tokens.find((token, index) => tokens.indexOf(token) !== index);
  if (duplicate !== undefined) throw new Error(`The chain model's vocabulary has "${duplicate}" twice.`);
  return { tokens, types };
}

/** Writes the model; the bytes depend on nothing but `spec`, so every run gets the same file. */
export function writeChainModel(path: string, spec: ChainModelSpec): void {
  const { tokens, types } = vocabulary(spec);
  const id = (token: string) => {
    const index = tokens.indexOf(token);
    if (index === -1) throw new Error(`"${token}" is not in the chain model's vocabulary.`);
    return index;
  };
  const eos = id(spec.eos);
  const otherwise = id(spec.otherwise);
  const successor = new Map(Object.entries(spec.next).map(([token, next]) => [id(token), id(next)]));
  successor.set(eos, eos);
  const vocab = tokens.length;
  // At least the vocabulary (and what switches need), so every token gets its own one-hot direction; a multiple of the heads.
  const embedding = Math.ceil((vocab + switchDimensions(spec.switches?.length ?? 0)) / (heads * 8)) * heads * 8;
  const headDim = embedding / heads;
  const tokenEmbedding = new Float32Array(embedding * vocab);
  const output = new Float32Array(embedding * vocab);
  for (let token = 0; token < vocab; token++) {
    tokenEmbedding[token * embedding + token] = 1;
    output[(successor.get(token) ?? otherwise) * embedding + token] = 1;
  }
  // RMS-normalising a one-hot scales it to sqrt(n_embd); the output norm undoes that and sets the logit.
  const outputNorm = f32(new Float32Array(embedding).fill(logit / Math.sqrt(embedding)));
  const ones = (length: number) => f32(new Float32Array(length).fill(1));
  // Zero attention and feed-forward weights leave the residual stream untouched; F16 keeps them small.
  const zeroBlock: GgufTensorSpec[] = [
    { name: 'blk.0.attn_norm.weight', shape: [embedding], type: 'F32', data: ones(embedding) },
    { name: 'blk.0.attn_q.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.attn_k.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.attn_v.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.attn_output.weight', shape: [embedding, embedding], type: 'F16' },
    ...(spec.architecture === 'qwen3'
      ? [
          { name: 'blk.0.attn_q_norm.weight', shape: [headDim], type: 'F32', data: ones(headDim) } as GgufTensorSpec,
          { name: 'blk.0.attn_k_norm.weight', shape: [headDim], type: 'F32', data: ones(headDim) } as GgufTensorSpec
        ]
      : []),
    { name: 'blk.0.ffn_norm.weight', shape: [embedding], type: 'F32', data: ones(embedding) },
    { name: 'blk.0.ffn_gate.weight', shape: [embedding, feedForward], type: 'F16' },
    { name: 'blk.0.ffn_up.weight', shape: [embedding, feedForward], type: 'F16' },
    { name: 'blk.0.ffn_down.weight', shape: [feedForward, embedding], type: 'F16' }
  ];
  const switched = spec.switches?.length
    ? switchTensors({ switches: spec.switches, id, vocab, embedding, heads, feedForward, architecture: spec.architecture, tokenEmbedding, output })
    : [];
  const block = zeroBlock.map((tensor) => switched.find((replacement) => replacement.name === tensor.name) ?? tensor);
  const arch = spec.architecture;
  const metadata: Record<string, GgufValue> = {
    'general.architecture': gguf.string(arch),
    'general.name': gguf.string(spec.name),
    'general.description': gguf.string(spec.description),
    'general.file_type': gguf.u32(1),
    [`${arch}.block_count`]: gguf.u32(1),
    [`${arch}.context_length`]: gguf.u32(spec.contextLength ?? 2048),
    [`${arch}.embedding_length`]: gguf.u32(embedding),
    [`${arch}.feed_forward_length`]: gguf.u32(feedForward),
    [`${arch}.attention.head_count`]: gguf.u32(heads),
    [`${arch}.attention.head_count_kv`]: gguf.u32(heads),
    [`${arch}.attention.layer_norm_rms_epsilon`]: gguf.f32(1e-5),
    [`${arch}.rope.dimension_count`]: gguf.u32(headDim),
    [`${arch}.rope.freq_base`]: gguf.f32(10000),
    [`${arch}.vocab_size`]: gguf.u32(vocab),
    'tokenizer.ggml.model': gguf.string('llama'),
    'tokenizer.ggml.tokens': gguf.array('string', tokens),
    'tokenizer.ggml.scores': gguf.array('f32', tokens.map(() => 0)),
    'tokenizer.ggml.token_type': gguf.array('i32', types),
    'tokenizer.ggml.bos_token_id': gguf.u32(1),
    'tokenizer.ggml.eos_token_id': gguf.u32(eos),
    'tokenizer.ggml.unknown_token_id': gguf.u32(0),
    'tokenizer.ggml.add_bos_token': gguf.bool(arch === 'llama'),
    'tokenizer.ggml.add_eos_token': gguf.bool(false),
    'tokenizer.ggml.add_space_prefix': gguf.bool(spec.addSpacePrefix ?? true),
    'tokenizer.chat_template': gguf.string(spec.chatTemplate)
  };
  writeGguf(path, {
    metadata,
    tensors: [
      { name: 'token_embd.weight', shape: [embedding, vocab], type: 'F32', data: f32(tokenEmbedding) },
      ...block,
      { name: 'output_norm.weight', shape: [embedding], type: 'F32', data: outputNorm },
      { name: 'output.weight', shape: [embedding, vocab], type: 'F32', data: f32(output) }
    ]
  });
}
