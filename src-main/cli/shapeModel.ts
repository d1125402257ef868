import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatBytes } from '../catalog';
import { ensureShapeModel, shapes, type ModelShape, type QuantMix } from '../models';

export interface ShapeModelFlags {
  shape?: string;
  quant?: string;
  layers?: string;
  out?: string;
}

const quants: readonly QuantMix[] = ['Q4_K_M', 'Q8_0', 'F16'];

/**
 * `hearth shape-model --shape NAME [--quant Q4_K_M] [--layers N] --out FILE` (a developer command): a GGUF
 * with a real model's tensor shapes and zero weights, for measuring speed and memory without downloading
 * the model. `--layers` keeps only the first N layers (a small file for tests). Leaves FILE alone when it
 * already is that model. Prints what it did, or with `json` {path, bytes, written, shape, quant, layers}.
 */
export function shapeModelCommand(flags: ShapeModelFlags, json: boolean): void {
  const base: ModelShape | undefined = flags.shape && Object.hasOwn(shapes, flags.shape) ? shapes[flags.shape as keyof typeof shapes] : undefined;
  if (!base) throw new Error(`--shape must be one of ${Object.keys(shapes).join(', ')}`);
  const quant = (flags.quant ?? 'Q4_K_M') as QuantMix;
  if (!quants.includes(quant)) throw new Error(`--quant must be one of ${quants.join(', ')}`);
  if (!flags.out) throw new Error('shape-model needs --out <file.gguf>');
  const layers = flags.layers === undefined ? base.layers : Number(flags.layers);
  if (!Number.isInteger(layers) || layers < 1 || layers > base.layers) throw new Error(`--layers must be a whole number from 1 to ${base.layers}`);
  const path = resolve(flags.out);
  const written = ensureShapeModel(path, { ...base, layers }, quant);
  const bytes = statSync(path).size;
  if (json) console.log(JSON.stringify({ path, bytes, written, shape: flags.shape, quant, layers }));
  else console.log(`${written ? 'Wrote' : 'Already up to date:'} ${path} (${base.name} shape, ${layers} layers, ${quant}, ${formatBytes(bytes)}, zero weights)`);
}
