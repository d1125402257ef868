/** ggml's tensor types, as GGUF files and llama.cpp store them (ggml.h, ggml-common.h). */
/** ggml tensor types with their block size (elements) and bytes per block. */
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
  BF16: { id: 30, blockSize: 1, blockBytes: 2 }
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
