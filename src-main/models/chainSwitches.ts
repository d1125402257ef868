/**
 * Switches for chain models: "once `after` has appeared in the context, the token that follows `at` is
 * `next`". A bigram chain sees only the current token, so a probe could never answer differently after
 * a tool's result than before it; a switch gives it exactly that much memory, with hand-set weights in
 * the one block the chain model otherwise leaves at zero:
 *
 * - every token's embedding gets a constant "bias" dimension B;
 * - attention head i has a query that is the same everywhere (from B) and a key only on `after`, so
 *   every position from `after` on attends to it; its value writes 1 into a "mode" dimension M_i
 *   (positions that cannot see `after` attend evenly to keys of zero and read 0). Query and key sit in
 *   the head's last dimension, whose RoPE rotation is the slowest, so position barely matters;
 * - a feed-forward unit fires only where the token is `at` AND mode i is on (SwiGLU's gate sees
 *   at + mode − 1.5 × bias: positive only with both), writing into an "override" dimension D_i;
 * - the output matrix maps D_i to `next` with twice the logit `at`'s usual successor gets there.
 */
import type { GgufTensorSpec } from './ggufWriter';

export interface ChainSwitch {
  /** The token whose presence anywhere earlier in the context turns the switch on. */
  after: string;
  /** The token whose successor changes. */
  at: string;
  /** Its successor once the switch is on. */
  next: string;
}

/** Spare residual dimensions the switches need beyond the vocabulary's one-hot ones. */
export function switchDimensions(switches: number): number {
  return switches === 0 ? 0 : 1 + 2 * switches;
}

/** Attention scores of about this much: the `after` token takes all but ~e^-30 of the attention. */
const score = 30;
/** The feed-forward gate's scale: its pre-activation is ±~30 where it must be on or off. */
const gate = 4;

function f32(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * The block's tensors (and the changes to the embeddings and output) that implement `switches` on a
 * chain model with `vocab` one-hot dimensions in an `embedding`-wide residual stream.
 */
export function switchTensors(options: {
  switches: readonly ChainSwitch[];
  id: (token: string) => number;
  vocab: number;
  embedding: number;
  heads: number;
  feedForward: number;
  architecture: 'llama' | 'qwen3';
  tokenEmbedding: Float32Array;
  output: Float32Array;
}): GgufTensorSpec[] {
  const { switches, id, vocab, embedding: e, heads, feedForward, architecture, tokenEmbedding, output } = options;
  if (switches.length > heads || switches.length > feedForward) throw new Error(`A chain model takes at most ${heads} switches.`);
  const headDim = e / heads;
  const bias = vocab;
  const mode = (index: number) => vocab + 1 + 2 * index;
  const override = (index: number) => vocab + 2 + 2 * index;
  for (let token = 0; token < vocab; token++) tokenEmbedding[token * e + bias] = 1;
  // A token with the bias dimension, RMS-normalised: each of its two unit entries becomes sqrt(E/2).
  const normalised = Math.sqrt(e / 2);
  // llama has no per-head norms: the scale sets the score. qwen3's norms make each head's q and k unit-RMS; their weights set it.
  const projection = architecture === 'llama' ? Math.sqrt((score * Math.sqrt(headDim)) / (normalised * normalised)) : 1;
  const q = new Float32Array(e * e);
  const k = new Float32Array(e * e);
  const v = new Float32Array(e * e);
  const o = new Float32Array(e * e);
  const gateWeights = new Float32Array(e * feedForward);
  const up = new Float32Array(e * feedForward);
  const down = new Float32Array(feedForward * e);
  switches.forEach((each, index) => {
    const slowest = index * headDim + headDim - 1;
    const value = index * headDim;
    q[slowest * e + bias] = projection;
    k[slowest * e + id(each.after)] = projection;
    v[value * e + id(each.after)] = 1 / normalised;
    o[mode(index) * e + value] = 1;
    gateWeights[index * e + id(each.at)] = gate;
    gateWeights[index * e + mode(index)] = gate;
    gateWeights[index * e + bias] = -1.5 * gate;
    up[index * e + bias] = 1;
    // Where it fires the unit gives about 0.5 × gate × E/3; this makes the override about 2.
    down[override(index) * feedForward + index] = 12 / (gate * e);
    output[id(each.next) * e + override(index)] = 1;
  });
  const norms: GgufTensorSpec[] = [];
  if (architecture === 'qwen3') {
    const weights = new Float32Array(headDim).fill(1);
    weights[headDim - 1] = Math.sqrt(score / Math.sqrt(headDim));
    norms.push({ name: 'blk.0.attn_q_norm.weight', shape: [headDim], type: 'F32', data: f32(weights) });
    norms.push({ name: 'blk.0.attn_k_norm.weight', shape: [headDim], type: 'F32', data: f32(new Float32Array(weights)) });
  }
  return [
    { name: 'blk.0.attn_q.weight', shape: [e, e], type: 'F32', data: f32(q) },
    { name: 'blk.0.attn_k.weight', shape: [e, e], type: 'F32', data: f32(k) },
    { name: 'blk.0.attn_v.weight', shape: [e, e], type: 'F32', data: f32(v) },
    { name: 'blk.0.attn_output.weight', shape: [e, e], type: 'F32', data: f32(o) },
    ...norms,
    { name: 'blk.0.ffn_gate.weight', shape: [e, feedForward], type: 'F32', data: f32(gateWeights) },
    { name: 'blk.0.ffn_up.weight', shape: [e, feedForward], type: 'F32', data: f32(up) },
    { name: 'blk.0.ffn_down.weight', shape: [feedForward, e], type: 'F32', data: f32(down) }
  ];
}
