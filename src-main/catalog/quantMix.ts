/**
 * How a quantization's layers split between ggml types, for files known only by name (a catalog entry):
 * llama.cpp's quantize keeps some matrices at a higher type (tools/quantize and llama-quant.cpp:
 * Q4_K_M gives `attn_v` and `ffn_down` Q6_K in about half the layers; Q4_K_S a few layers' at Q5_K;
 * Q2_K mixes in Q3_K and Q4_K). The shares are of a layer's matrix bytes, for a Llama-like layer; a
 * downloaded header replaces them with the exact figures.
 */
const shares: Record<string, Record<string, number>> = {
  Q4_0: { Q4_0: 1 },
  Q4_K_S: { Q4_K: 0.9, Q5_K: 0.1 },
  Q4_K_M: { Q4_K: 0.8, Q6_K: 0.2 },
  IQ4_NL: { IQ4_NL: 1 },
  Q2_K: { Q2_K: 0.6, Q3_K: 0.3, Q4_K: 0.1 },
  Q5_K_S: { Q5_K: 1 },
  Q5_K_M: { Q5_K: 0.8, Q6_K: 0.2 },
  Q6_K: { Q6_K: 1 },
  Q8_0: { Q8_0: 1 },
  F16: { F16: 1 },
  BF16: { BF16: 1 }
};

/** A layer's matrix bytes by ggml type for a file of this quantization; empty when the mix is not known. */
export function matrixBytesByType(quantization: string, layerBytes: number): Record<string, number> {
  const mix = shares[quantization.toUpperCase()];
  return mix ? Object.fromEntries(Object.entries(mix).map(([type, share]) => [type, layerBytes * share])) : {};
}
