/**
 * A small GGUF (v3) writer: Hearth makes its own test fixtures with it (header-only shapes of real
 * models for the fit estimator, truncated and corrupt files for the library scan) and the zero-weight
 * models of real shapes that `hearth shape-model` writes for measuring. Layout, per the
 * GGUF spec: magic, version, tensor count, metadata count, metadata key/values, tensor infos,
 * padding to the alignment, tensor data.
 */
import { closeSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { ggmlTypes, tensorBytes, type GgmlTypeName } from '../catalog';

const valueTypes = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;
type ScalarType = Exclude<keyof typeof valueTypes, 'array'>;

export type GgufValue =
  | { type: ScalarType; value: number | bigint | boolean | string }
  | { type: 'array'; itemType: ScalarType; items: (number | bigint | boolean | string)[] };

export const gguf = {
  u32: (value: number): GgufValue => ({ type: 'u32', value }),
  i32: (value: number): GgufValue => ({ type: 'i32', value }),
  u64: (value: number | bigint): GgufValue => ({ type: 'u64', value }),
  f32: (value: number): GgufValue => ({ type: 'f32', value }),
  bool: (value: boolean): GgufValue => ({ type: 'bool', value }),
  string: (value: string): GgufValue => ({ type: 'string', value }),
  array: (itemType: ScalarType, items: (number | bigint | boolean | string)[]): GgufValue => ({ type: 'array', itemType, items })
};


export interface GgufTensorSpec {
  name: string;
  /** ggml order: the fastest-varying dimension first (e.g. [n_embd, n_vocab] for token_embd). */
  shape: number[];
  type: GgmlTypeName;
  /** The tensor's bytes; omitted, the tensor's bytes are zeros (or absent in a header-only file). */
  data?: Uint8Array;
}

export interface GgufSpec {
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorSpec[];
  /** Write the header and tensor table only: enough for readers of the header, and tiny on disk. */
  headerOnly?: boolean;
  /**
   * Leave the zeros of tensors without data unwritten: the file has its whole size and reads the same,
   * but takes no disk (a sparse file) and is written in an instant.
   */
  sparse?: boolean;
}

class ByteSink {
  private readonly chunks: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  scalar(type: ScalarType, value: number | bigint | boolean | string): void {
    if (type === 'string') {
      const bytes = Buffer.from(String(value), 'utf8');
      this.scalar('u64', bytes.length);
      this.push(bytes);
      return;
    }
    const sizes: Record<Exclude<ScalarType, 'string'>, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8 };
    const buffer = Buffer.alloc(sizes[type]);
    if (type === 'u8' || type === 'bool') buffer.writeUInt8(Number(value));
    else if (type === 'i8') buffer.writeInt8(Number(value));
    else if (type === 'u16') buffer.writeUInt16LE(Number(value));
    else if (type === 'i16') buffer.writeInt16LE(Number(value));
    else if (type === 'u32') buffer.writeUInt32LE(Number(value));
    else if (type === 'i32') buffer.writeInt32LE(Number(value));
    else if (type === 'f32') buffer.writeFloatLE(Number(value));
    else if (type === 'f64') buffer.writeDoubleLE(Number(value));
    else if (type === 'u64') buffer.writeBigUInt64LE(BigInt(value as number | bigint));
    else buffer.writeBigInt64LE(BigInt(value as number | bigint));
    this.push(buffer);
  }

  value(value: GgufValue): void {
    this.scalar('u32', valueTypes[value.type]);
    if (value.type !== 'array') return this.scalar(value.type, value.value);
    this.scalar('u32', valueTypes[value.itemType]);
    this.scalar('u64', value.items.length);
    for (const item of value.items) this.scalar(value.itemType, item);
  }

  concat(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;

/** Builds a GGUF file's bytes up to the start of the tensor data, and where each tensor goes. */
export function encodeGgufHeader(spec: GgufSpec): { header: Buffer; offsets: number[]; alignment: number } {
  const alignmentValue = spec.metadata['general.alignment'];
  const alignment = alignmentValue && alignmentValue.type !== 'array' ? Number(alignmentValue.value) : 32;
  const sink = new ByteSink();
  sink.push(Buffer.from('GGUF', 'ascii'));
  sink.scalar('u32', 3);
  sink.scalar('u64', spec.tensors.length);
  sink.scalar('u64', Object.keys(spec.metadata).length);
  for (const [key, value] of Object.entries(spec.metadata)) {
    sink.scalar('string', key);
    sink.value(value);
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const tensor of spec.tensors) {
    sink.scalar('string', tensor.name);
    sink.scalar('u32', tensor.shape.length);
    for (const size of tensor.shape) sink.scalar('u64', size);
    sink.scalar('u32', ggmlTypes[tensor.type].id);
    sink.scalar('u64', offset);
    offsets.push(offset);
    offset = alignUp(offset + tensorBytes(tensor), alignment);
  }
  sink.push(Buffer.alloc(alignUp(sink.length, alignment) - sink.length));
  return { header: sink.concat(), offsets, alignment };
}

/**
 * Whether the file at `path` is the one `writeGguf` would make from `spec` (same header bytes, same
 * size), so a cached model is rewritten only when its definition changed. False when it is missing.
 */
export function ggufMatches(path: string, spec: GgufSpec): boolean {
  const { header, offsets, alignment } = encodeGgufHeader(spec);
  const last = spec.tensors.length - 1;
  const dataBytes = spec.headerOnly || last < 0 ? 0 : alignUp(offsets[last] + tensorBytes(spec.tensors[last]), alignment);
  let fd: number;
  try {
    if (statSync(path).size !== header.length + dataBytes) return false;
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const found = Buffer.alloc(header.length);
    return readSync(fd, found, 0, header.length, 0) === header.length && found.equals(header);
  } finally {
    closeSync(fd);
  }
}

/** Writes a GGUF file; tensor data is streamed, so a large zero-filled file never sits in memory. */
export function writeGguf(path: string, spec: GgufSpec): void {
  const { header, offsets, alignment } = encodeGgufHeader(spec);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    if (spec.headerOnly) return;
    // One zero block serves every tensor without data; gaps between tensors are zeros already.
    const zeros = Buffer.alloc(1 << 20);
    const writeZeros = (at: number, count: number) => {
      for (let done = 0; done < count; done += zeros.length) writeSync(fd, zeros, 0, Math.min(count - done, zeros.length), at + done);
    };
    let end = 0;
    spec.tensors.forEach((tensor, index) => {
      const size = tensorBytes(tensor);
      const at = header.length + offsets[index];
      if (tensor.data) {
        if (tensor.data.length !== size) throw new Error(`${tensor.name}: ${tensor.data.length} bytes given, ${size} expected`);
        writeSync(fd, tensor.data, 0, size, at);
      } else if (!spec.sparse) {
        writeZeros(at, size);
      }
      end = offsets[index] + size;
    });
    // Extending the file writes nothing: what was not written reads as zeros (a hole, when sparse).
    ftruncateSync(fd, header.length + alignUp(end, alignment));
  } finally {
    closeSync(fd);
  }
}
