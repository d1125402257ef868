/**
 * Hearth's built-in demo model: a tiny llama that Hearth writes itself, so a fresh offline install can
 * chat at once. It is a bigram chain, not a trained model: one block whose attention and feed-forward
 * weights are all zero, so the residual stream at a position is just the current token's embedding;
 * one-hot embeddings; and an output matrix that gives each token's successor a large logit. The
 * reply's pieces are unique tokens in the vocabulary, so the chain never branches and every reply is
 * `demoReply` followed by end of sequence.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { demoModelFileName, listModels } from './library';
import { gguf, writeGguf, type GgufTensorSpec } from './ggufWriter';

/** Each piece becomes one vocabulary token; a repeated word is merged with a neighbour to stay unique. */
const replyPieces = [
  'Hello!', ' I am', " Hearth's", ' built-in', ' demo', ' model.', ' I can', ' only', ' say', ' this', ' sentence:',
  ' open', ' the', ' Models', ' view', ' to', ' download', ' a', ' real', ' model', ' that', ' fits', ' your', ' machine.'
];

export const demoReply = replyPieces.join('');

const specialTokens = ['<unk>', '<s>', '</s>'];
const eos = 2;
const byteTokens = Array.from({ length: 256 }, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
const roleMarkers = ['<|system|>', '<|user|>', '<|assistant|>'];
// SentencePiece spells a space as U+2581. A lone one is a token too: without it a space in the user's
// text falls back to the bytes of U+2581 and reads back as "\u2581", not as a space.
const space = '\u2581';
const pieceTokens = replyPieces.map((piece) => piece.replaceAll(' ', space));
const tokens = [...specialTokens, ...byteTokens, ...roleMarkers, space, ...pieceTokens];
const firstMarker = specialTokens.length + byteTokens.length;
const firstPiece = tokens.length - pieceTokens.length;

/** llama.cpp token types: 2 unknown, 3 control, 6 byte, 1 normal. */
function tokenType(index: number): number {
  if (index === 0) return 2;
  if (index < specialTokens.length) return 3;
  if (index < firstMarker) return 6;
  return index < firstMarker + roleMarkers.length ? 3 : 1;
}

/**
 * The next token after `token`. Whatever ends the prompt (the assistant marker in a chat, any token in
 * a plain-text continuation) starts the reply, so the model says its sentence in every mode; the last
 * piece and EOS itself lead to EOS, so nothing can loop.
 */
function successor(token: number): number {
  if (token === eos || token === tokens.length - 1) return eos;
  return token >= firstPiece ? token + 1 : firstPiece;
}

// Each message ends with EOS, so node-llama-cpp learns that EOS ends a model turn; the prompt ends on
// the bare assistant marker, the one token that decides the first reply token.
const chatTemplate =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

const embedding = 384; // ≥ the vocabulary, so every token gets its own one-hot direction
const heads = 6;
const feedForward = 64;
// The successor's logit over every other token's 0: even at temperature 2 the runner-up has a probability
// of about e^-20, so any sampling settings pick the chain.
const logit = 40;

function f32(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function tensors(): GgufTensorSpec[] {
  const vocab = tokens.length;
  const tokenEmbedding = new Float32Array(embedding * vocab);
  const output = new Float32Array(embedding * vocab);
  for (let token = 0; token < vocab; token++) {
    tokenEmbedding[token * embedding + token] = 1;
    output[successor(token) * embedding + token] = 1;
  }
  // RMS-normalising a one-hot scales it to sqrt(n_embd); the output norm undoes that and sets the logit.
  const outputNorm = new Float32Array(embedding).fill(logit / Math.sqrt(embedding));
  const ones = f32(new Float32Array(embedding).fill(1));
  // Zero attention and feed-forward weights leave the residual stream untouched; F16 keeps them small.
  return [
    { name: 'token_embd.weight', shape: [embedding, vocab], type: 'F32', data: f32(tokenEmbedding) },
    { name: 'blk.0.attn_norm.weight', shape: [embedding], type: 'F32', data: ones },
    { name: 'blk.0.attn_q.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.attn_k.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.attn_v.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.attn_output.weight', shape: [embedding, embedding], type: 'F16' },
    { name: 'blk.0.ffn_norm.weight', shape: [embedding], type: 'F32', data: ones },
    { name: 'blk.0.ffn_gate.weight', shape: [embedding, feedForward], type: 'F16' },
    { name: 'blk.0.ffn_up.weight', shape: [embedding, feedForward], type: 'F16' },
    { name: 'blk.0.ffn_down.weight', shape: [feedForward, embedding], type: 'F16' },
    { name: 'output_norm.weight', shape: [embedding], type: 'F32', data: f32(outputNorm) },
    { name: 'output.weight', shape: [embedding, vocab], type: 'F32', data: f32(output) }
  ];
}

/** Writes the demo model; the bytes depend on nothing but this file, so every install gets the same model. */
export function writeDemoModel(path: string): void {
  writeGguf(path, {
    metadata: {
      'general.architecture': gguf.string('llama'),
      'general.name': gguf.string('Hearth Demo'),
      'general.description': gguf.string(`Built into Hearth; it only ever replies: ${demoReply}`),
      'general.file_type': gguf.u32(1),
      'llama.block_count': gguf.u32(1),
      'llama.context_length': gguf.u32(2048),
      'llama.embedding_length': gguf.u32(embedding),
      'llama.feed_forward_length': gguf.u32(feedForward),
      'llama.attention.head_count': gguf.u32(heads),
      'llama.attention.head_count_kv': gguf.u32(heads),
      'llama.attention.layer_norm_rms_epsilon': gguf.f32(1e-5),
      'llama.rope.dimension_count': gguf.u32(embedding / heads),
      'llama.rope.freq_base': gguf.f32(10000),
      'llama.vocab_size': gguf.u32(tokens.length),
      'tokenizer.ggml.model': gguf.string('llama'),
      'tokenizer.ggml.tokens': gguf.array('string', tokens),
      'tokenizer.ggml.scores': gguf.array('f32', tokens.map(() => 0)),
      'tokenizer.ggml.token_type': gguf.array('i32', tokens.map((_, index) => tokenType(index))),
      'tokenizer.ggml.bos_token_id': gguf.u32(1),
      'tokenizer.ggml.eos_token_id': gguf.u32(eos),
      'tokenizer.ggml.unknown_token_id': gguf.u32(0),
      'tokenizer.ggml.add_bos_token': gguf.bool(true),
      'tokenizer.ggml.add_eos_token': gguf.bool(false),
      'tokenizer.chat_template': gguf.string(chatTemplate)
    },
    tensors: tensors()
  });
}

/**
 * On first run (no .gguf in the models folder at all) writes the demo model there and returns its
 * path; otherwise returns null. An existing file is never replaced, and a half-written one never
 * carries the .gguf name: the model is written under a temporary name and then linked into place.
 */
export async function ensureDemoModel(modelsDir: string): Promise<string | null> {
  if ((await listModels(modelsDir)).length > 0) return null;
  await mkdir(modelsDir, { recursive: true });
  const path = join(modelsDir, demoModelFileName);
  const temporary = join(modelsDir, `.${demoModelFileName}.${process.pid}.tmp`);
  writeDemoModel(temporary);
  try {
    // link() fails rather than overwrite; a filesystem without hard links gets an exclusive copy.
    await link(temporary, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw error;
      return copyFile(temporary, path, constants.COPYFILE_EXCL);
    });
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
