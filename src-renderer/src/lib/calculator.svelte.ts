import type { MemoryCalculation, MethodInput, WeightPrecision } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import { debouncer } from './debounce';

export const precisionLabels: Record<WeightPrecision, string> = { fp32: 'FP32', fp16: 'FP16', bf16: 'BF16', int8: 'INT8', int4: 'INT4' };

export const architectureFields = [
  { key: 'layers', label: 'Layers', max: 1000 },
  { key: 'embedding', label: 'Embedding size', max: 1_000_000 },
  { key: 'kvHeads', label: 'KV heads', max: 1024 },
  { key: 'headDim', label: 'Head size', max: 4096 },
  { key: 'vocab', label: 'Vocabulary', max: 10_000_000 }
] as const;
export type ArchitectureKey = (typeof architectureFields)[number]['key'];

function whole(value: number | null, max: number): value is number {
  return value !== null && Number.isInteger(value) && value >= 1 && value <= max;
}

/** The memory calculator: inputs as typed, the server's answer, and why there is none when the input is incomplete. */
export class CalculatorState {
  open = $state(false);
  /** In billions. */
  parameters = $state<number | null>(7);
  precision = $state<WeightPrecision>('fp16');
  contextSize = $state<number | null>(8192);
  architecture = $state<Record<ArchitectureKey, number | null>>({ layers: null, embedding: null, kvHeads: null, headDim: null, vocab: null });
  result = $state<MemoryCalculation | null>(null);
  problem = $state<string | null>(null);
  pending = $state(false);

  private seq = 0;
  private readonly debounce = debouncer(200);

  constructor(private readonly api: HearthApi) {}

  /** Called on every input: checks it, then asks the server shortly after the typing stops. */
  schedule(): void {
    const billions = this.parameters;
    const context = this.contextSize;
    if (billions === null || !Number.isFinite(billions) || billions <= 0 || billions > 10_000) {
      return this.fail('Parameters must be a number of billions above 0 (at most 10,000).');
    }
    if (context === null || !Number.isInteger(context) || context < 256 || context > 1_048_576) {
      return this.fail('Context length must be a whole number from 256 to 1,048,576.');
    }
    const given = architectureFields.filter((field) => this.architecture[field.key] !== null);
    const bad = given.find((field) => !whole(this.architecture[field.key], field.max));
    if (bad) return this.fail(`${bad.label} must be a whole number from 1 to ${bad.max.toLocaleString('en-US')}.`);
    const architecture = given.length === architectureFields.length ? { ...(this.architecture as Record<ArchitectureKey, number>) } : undefined;
    const input = { parameters: billions * 1e9, precision: this.precision, contextSize: context, ...(architecture ? { architecture } : {}) };
    this.problem = null;
    this.pending = true;
    this.debounce.schedule(() => void this.calculate(input));
  }

  private fail(problem: string): void {
    this.debounce.cancel();
    this.seq++;
    this.problem = problem;
    this.pending = false;
  }

  private async calculate(input: MethodInput<'catalog.calculate'>): Promise<void> {
    const seq = ++this.seq;
    try {
      const result = await this.api.call('catalog.calculate', input);
      if (seq === this.seq) this.result = result;
    } catch (error) {
      if (seq === this.seq) this.problem = ApiClientError.from(error).message;
    } finally {
      if (seq === this.seq) this.pending = false;
    }
  }
}
