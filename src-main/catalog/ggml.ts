/**
 * ggml's tensor types, as GGUF files and llama.cpp store them: id from `enum ggml_type` in
 * ggml/include/ggml.h, block size (elements) and bytes per block from the `block_*` structs and their
 * static_asserts in ggml/src/ggml-common.h (ggml-org/llama.cpp; ggml.h read at 004eaba8,
 * ggml-common.h at 01243c58). QK_K = 256 for the k- and i-quant super-blocks; ggml_half is 2 bytes.
 */
export const ggmlTypes = {
  F32: { id: 0, blockSize: 1, blockBytes: 4 },
  F16: { id: 1, blockSize: 1, blockBytes: 2 },
  Q4_0: { id: 2, blockSize: 32, blockBytes: 18 },
  Q4_1: { id: 3, blockSize: 32, blockBytes: 20 },
  Q5_0: { id: 6, blockSize: 32, blockBytes: 22 },
  Q5_1: { id: 7, blockSize: 32, blockBytes: 24 },
  Q8_0: { id: 8, blockSize: 32, blockBytes: 34 },
  Q2_K: { id: 10, blockSize: 256, blockBytes: 84 },
  Q3_K: { id: 11, blockSize: 256, blockBytes: 110 },
  Q4_K: { id: 12, blockSize: 256, blockBytes: 144 },
  Q5_K: { id: 13, blockSize: 256, blockBytes: 176 },
  Q6_K: { id: 14, blockSize: 256, blockBytes: 210 },
  /** block_iq2_xxs: d + qs[QK_K/8] u16 = 2 + 64. */
  IQ2_XXS: { id: 16, blockSize: 256, blockBytes: 66 },
  /** block_iq2_xs: d + qs[QK_K/8] u16 + scales[QK_K/32] = 2 + 64 + 8. */
  IQ2_XS: { id: 17, blockSize: 256, blockBytes: 74 },
  /** block_iq3_xxs: d + qs[3*QK_K/8] = 2 + 96. */
  IQ3_XXS: { id: 18, blockSize: 256, blockBytes: 98 },
  /** block_iq1_s: d + qs[QK_K/8] + qh[QK_K/32] u16 = 2 + 32 + 16. */
  IQ1_S: { id: 19, blockSize: 256, blockBytes: 50 },
  /** block_iq4_nl (QK4_NL 32): d + qs[16] = 2 + 16. */
  IQ4_NL: { id: 20, blockSize: 32, blockBytes: 18 },
  /** block_iq3_s: d + 13*(QK_K/32) + IQ3S_N_SCALE (QK_K/64) = 2 + 104 + 4. */
  IQ3_S: { id: 21, blockSize: 256, blockBytes: 110 },
  /** block_iq2_s: d + qs[QK_K/4] + qh[QK_K/32] + scales[QK_K/32] = 2 + 64 + 8 + 8. */
  IQ2_S: { id: 22, blockSize: 256, blockBytes: 82 },
  /** block_iq4_xs: d + scales_h u16 + scales_l[QK_K/64] + qs[QK_K/2] = 2 + 2 + 4 + 128. */
  IQ4_XS: { id: 23, blockSize: 256, blockBytes: 136 },
  /** block_iq1_m: qs[QK_K/8] + qh[QK_K/16] + scales[QK_K/32] = 32 + 16 + 8 (no ggml_half). */
  IQ1_M: { id: 29, blockSize: 256, blockBytes: 56 },
  BF16: { id: 30, blockSize: 1, blockBytes: 2 },
  /** block_tq1_0: qs[(QK_K - 4*QK_K/64)/5] + qh[QK_K/64] + d = 48 + 4 + 2. */
  TQ1_0: { id: 34, blockSize: 256, blockBytes: 54 },
  /** block_tq2_0: qs[QK_K/4] + d = 64 + 2. */
  TQ2_0: { id: 35, blockSize: 256, blockBytes: 66 },
  /** block_mxfp4 (QK_MXFP4 32): e (E8M0 scale, 1 byte) + qs[16] = 1 + 16. */
  MXFP4: { id: 39, blockSize: 32, blockBytes: 17 }
} as const;
export type GgmlTypeName = keyof typeof ggmlTypes;

/** A GGUF tensor-info type id as its name, for the types listed above. */
export function ggmlTypeName(id: number): GgmlTypeName | null {
  return (Object.entries(ggmlTypes).find(([, spec]) => spec.id === id)?.[0] as GgmlTypeName | undefined) ?? null;
}

/** Bytes a tensor of this shape (ggml order) and type takes in a GGUF file; throws for a shape that does not fill whole blocks. */
export function tensorBytes(tensor: { shape: number[]; type: GgmlTypeName }): number {
  const { blockSize, blockBytes } = ggmlTypes[tensor.type];
  const elements = tensor.shape.reduce((product, size) => product * size, 1);
  if (elements % blockSize !== 0) throw new Error(`${tensor.type} needs a multiple of ${blockSize} elements`);
  return (elements / blockSize) * blockBytes;
}
