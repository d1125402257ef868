import { readFileSync } from 'node:fs';
import { ggmlTypeName, tensorBytes } from '../../src-main/catalog';
import { gguf, writeGguf, type GgufTensorSpec, type GgufValue } from '../../src-main/models';

type Scalar = Exclude<GgufValue, { type: 'array' }>['type'];
/** GGUF's value types by their number (9 is an array). */
const valueTypes = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'] as const;

/**
 * Reads a whole GGUF file back into what `writeGguf` takes: every metadata value with its exact type
 * (llama.cpp checks the types of the keys it reads) and every tensor with its bytes.
 */
export function readGgufSpec(path: string): { metadata: Record<string, GgufValue>; tensors: GgufTensorSpec[] } {
  const data = readFileSync(path);
  let at = 0;
  const take = (bytes: number) => ((at += bytes), at - bytes);
  const scalar = (type: Scalar): number | bigint | boolean | string => {
    switch (type) {
      case 'u8': return data.readUInt8(take(1));
      case 'i8': return data.readInt8(take(1));
      case 'bool': return data.readUInt8(take(1)) !== 0;
      case 'u16': return data.readUInt16LE(take(2));
      case 'i16': return data.readInt16LE(take(2));
      case 'u32': return data.readUInt32LE(take(4));
      case 'i32': return data.readInt32LE(take(4));
      case 'f32': return data.readFloatLE(take(4));
      case 'u64': return data.readBigUInt64LE(take(8));
      case 'i64': return data.readBigInt64LE(take(8));
      case 'f64': return data.readDoubleLE(take(8));
      case 'string': {
        const length = Number(data.readBigUInt64LE(take(8)));
        return data.toString('utf8', take(length), at);
      }
    }
  };
  if (data.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${path} is not a GGUF file`);
  take(8);
  const tensorCount = Number(scalar('u64'));
  const kvCount = Number(scalar('u64'));
  const metadata: Record<string, GgufValue> = {};
  for (let index = 0; index < kvCount; index++) {
    const key = scalar('string') as string;
    const type = valueTypes[scalar('u32') as number];
    if (type !== 'array') {
      metadata[key] = { type, value: scalar(type) };
      continue;
    }
    const itemType = valueTypes[scalar('u32') as number] as Scalar;
    const count = Number(scalar('u64'));
    metadata[key] = gguf.array(itemType, Array.from({ length: count }, () => scalar(itemType)));
  }
  const layout = Array.from({ length: tensorCount }, () => {
    const name = scalar('string') as string;
    const dimensions = scalar('u32') as number;
    const shape = Array.from({ length: dimensions }, () => Number(scalar('u64')));
    const type = ggmlTypeName(scalar('u32') as number);
    if (!type) throw new Error(`${name} has a tensor type this helper does not know`);
    return { name, shape, type, offset: Number(scalar('u64')) };
  });
  const alignment = Number((metadata['general.alignment'] as { value?: number } | undefined)?.value ?? 32);
  const dataStart = Math.ceil(at / alignment) * alignment;
  const tensors = layout.map(({ offset, ...tensor }) => ({ ...tensor, data: data.subarray(dataStart + offset, dataStart + offset + tensorBytes(tensor)) }));
  return { metadata, tensors };
}

/**
 * Writes `source` as llama.cpp's split layout (what `llama-gguf-split --split` makes): the first part
 * keeps all the metadata, every part carries `split.no` (u16, from 0), `split.count` (u16) and
 * `split.tensors.count` (i32) and its share of the tensors, in order. Returns the parts' paths.
 */
export function writeSplitGguf(source: string, count: number, pathOf: (partNumber: number) => string): string[] {
  const { metadata, tensors } = readGgufSpec(source);
  const perPart = Math.ceil(tensors.length / count);
  return Array.from({ length: count }, (_, index) => {
    const split = { 'split.no': { type: 'u16', value: index }, 'split.count': { type: 'u16', value: count }, 'split.tensors.count': gguf.i32(tensors.length) } satisfies Record<string, GgufValue>;
    const path = pathOf(index + 1);
    const alignment = metadata['general.alignment'] ? { 'general.alignment': metadata['general.alignment'] } : {};
    writeGguf(path, { metadata: index === 0 ? { ...metadata, ...split } : { ...alignment, ...split }, tensors: tensors.slice(index * perPart, (index + 1) * perPart) });
    return path;
  });
}
