import { afterEach, describe, expect, it, vi } from 'vitest';
import { interTokenBucketsMs, localCostPer1MTokens, type GpuTelemetry } from '../../src-main/api';
import { decodeLimitTokensPerSecond, statistic } from '../../src-main/bench';
import { benchOptionsFromFlags } from '../../src-main/cli/bench';
import { TelemetrySampler, type TelemetrySources } from '../../src-main/hardware';
import { exportRepliesCsv } from '../../src-main/history/transfer';
import { histogram, percentile, ReplyClock } from '../../src-main/inference';
import { sampleMetrics } from '../fixtures/metrics';

describe('reply timeline arithmetic', () => {
  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3, 10, 6, 7, 8, 9];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile([3], 95)).toBe(3);
    expect(percentile([], 50)).toBeNull();
  });

  it('counts values into fixed buckets, the last one open-ended', () => {
    expect(histogram([0.2, 1, 1.5, 40, 2000], [1, 2, 50])).toEqual([2, 1, 1, 1]);
    expect(histogram([], interTokenBucketsMs)).toHaveLength(interTokenBucketsMs.length + 1);
  });

  it('measures TTFT, decode rate and inter-token latency from recorded token times', () => {
    const times = [0, 10, 12, 14, 16, 26, 27, 30];
    let now = 0;
    const clock = new ReplyClock(() => now);
    // First token at 10 ms (prefill), then gaps of 2, 2, 2, 10; then two tokens together after 1 ms, then finish.
    for (const [index, at] of times.slice(1, 6).entries()) {
      now = at;
      clock.tokens(1, 'answer', index === 0 ? { promptTokens: 8, prefillTokens: 8 } : undefined);
    }
    now = 27;
    clock.tokens(2);
    now = 30;
    const metrics = clock.finish({ ...sampleMetrics() });
    expect(metrics.ttftMs).toBe(10);
    expect(metrics.outputTokens).toBe(7);
    // Six tokens after the first in 17 ms.
    expect(metrics.decodeTokensPerSecond).toBeCloseTo(6000 / 17);
    expect(metrics.interTokenP50Ms).toBe(2);
    expect(metrics.interTokenP95Ms).toBe(10);
    expect(metrics.interTokenHistogram.reduce((sum, count) => sum + count, 0)).toBe(6);
    expect(metrics.prefillTokensPerSecond).toBe(800);
    expect(metrics.totalMs).toBe(30);
  });

  it('counts a reasoning model’s thought in the output, and times the thinking and the first answer token apart', () => {
    let now = 0;
    const clock = new ReplyClock(() => now);
    now = 100;
    clock.tokens(1, 'thought', { promptTokens: 8, prefillTokens: 8 });
    for (let step = 0; step < 9; step++) {
      now += 10;
      clock.tokens(1, 'thought');
    }
    now = 250;
    clock.tokens(1, 'answer');
    now = 260;
    clock.tokens(1, 'answer');
    const metrics = clock.finish({ ...sampleMetrics() });
    expect(metrics).toMatchObject({ outputTokens: 12, thoughtTokens: 10, ttftMs: 100, thinkingMs: 150, ttfaMs: 250 });
    // Eleven tokens after the first in 160 ms: every generated token counts toward the speed.
    expect(metrics.decodeTokensPerSecond).toBeCloseTo(11_000 / 160);
  });

  it('gives a reply cut while thinking its thinking time up to its last thought token, and no first answer', () => {
    let now = 0;
    const clock = new ReplyClock(() => now);
    now = 50;
    clock.tokens(3, 'thought');
    now = 80;
    clock.tokens(2, 'thought');
    now = 90;
    expect(clock.finish({ ...sampleMetrics() })).toMatchObject({ outputTokens: 5, thoughtTokens: 5, thinkingMs: 30, ttfaMs: null, ttftMs: 50 });
  });
});

describe('benchmark figures', () => {
  it('gives the mean and the sample standard deviation', () => {
    expect(statistic([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: Math.sqrt(32 / 7), n: 8 });
    expect(statistic([3])).toEqual({ mean: 3, std: 0, n: 1 });
  });

  it('bounds decode speed by bandwidth ÷ bytes read per token', () => {
    // 100 GB/s over a 4 GB model reads it 25 times a second.
    expect(decodeLimitTokensPerSecond(100, 4e9)).toBe(25);
  });

  it('reads --batch and the other flags as whole numbers', () => {
    expect(benchOptionsFromFlags({ prompt: '512', gen: '128', reps: '3', batch: '1, 2,4' })).toEqual({ promptTokens: 512, genTokens: 128, reps: 3, batch: [1, 2, 4], threads: undefined });
    expect(() => benchOptionsFromFlags({ reps: '0' })).toThrow(/--reps must be a whole number, at least 1/);
  });
});

describe('local cost per 1M tokens', () => {
  it('is the time at the measured speed × power × electricity price', () => {
    // 1M tokens at 100 tok/s take 10,000 s; at 360 W that is 1 kWh; at 0.25 per kWh, 0.25.
    expect(localCostPer1MTokens(100, 360, 0.25)).toBeCloseTo(0.25);
    expect(localCostPer1MTokens(null, 360, 0.25)).toBeNull();
    expect(localCostPer1MTokens(0, 360, 0.25)).toBeNull();
  });
});

describe('the replies CSV', () => {
  it('has one header line and one line per reply, quoting what needs it', () => {
    const file = exportRepliesCsv([
      { messageId: 1, conversationId: 1, conversationTitle: 'Plain', createdAt: Date.UTC(2026, 10, 22), metrics: sampleMetrics() },
      { messageId: 2, conversationId: 1, conversationTitle: 'Says "hi", twice', createdAt: Date.UTC(2026, 10, 22), metrics: sampleMetrics({ ttftMs: null }) }
    ]);
    const lines = file.content.trimEnd().split('\r\n');
    expect(file.mimeType).toBe('text/csv');
    expect(lines).toHaveLength(3);
    expect(lines[0].startsWith('time,conversation,model,quantization')).toBe(true);
    expect(lines[2]).toContain('"Says ""hi"", twice"');
    expect(lines[2].split(',')[11]).toBe('');
    expect(lines[0].endsWith(',temperature,thought_tokens,thinking_ms,ttfa_ms')).toBe(true);
    const thinker = exportRepliesCsv([{ messageId: 3, conversationId: 1, conversationTitle: 'Q', createdAt: 0, metrics: sampleMetrics({ thoughtTokens: 40, thinkingMs: 812.5, ttfaMs: 830 }) }]);
    expect(thinker.content.trimEnd().split('\r\n')[1].endsWith(',40,812.5,830')).toBe(true);
    const unrounded = exportRepliesCsv([{ messageId: 4, conversationId: 1, conversationTitle: 'R', createdAt: 0, metrics: sampleMetrics({ decodeTokensPerSecond: 742.1283749201, ttftMs: 3.004999 }) }]);
    const fields = unrounded.content.trimEnd().split('\r\n')[1].split(',');
    expect(fields[12]).toBe('742.13');
    expect(fields[10]).toBe('3');
  });
});

describe('the telemetry sampler', () => {
  afterEach(() => vi.useRealTimers());

  const sources = (): TelemetrySources & { cpu: { idle: number; total: number } } => {
    const state = { cpu: { idle: 0, total: 0 } };
    return {
      ...state,
      cpuTimes: () => {
        state.cpu = { idle: state.cpu.idle + 250, total: state.cpu.total + 1000 };
        return state.cpu;
      },
      memory: () => ({ totalBytes: 16e9, freeBytes: 6e9 }),
      appBytes: () => 3e8,
      gpus: async (): Promise<GpuTelemetry[]> => [{ name: 'Test GPU', vramTotalBytes: 8e9, vramUsedBytes: 2e9, utilizationPercent: 40 }]
    };
  };

  it('samples once a second only while watched or busy, and keeps a bounded ring', async () => {
    vi.useFakeTimers();
    const seen: number[] = [];
    const sampler = new TelemetrySampler(sources(), { capacity: 3, onSample: (sample) => seen.push(sample.at), now: () => Date.now() });
    sampler.watch(3500);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.length).toBe(4);
    expect(sampler.running).toBe(false);
    expect(sampler.recent()).toHaveLength(3);

    sampler.setBusy(true);
    await vi.advanceTimersByTimeAsync(2500);
    expect(seen.length).toBe(7);
    sampler.setBusy(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(seen.length).toBe(7);
    sampler.stop();
  });

  it('reports CPU use between samples, memory, the app and the GPUs', async () => {
    const sampler = new TelemetrySampler(sources());
    const first = await sampler.sample();
    const second = await sampler.sample();
    expect(first.cpuPercent).toBeNull();
    expect(second).toMatchObject({ cpuPercent: 75, memoryTotalBytes: 16e9, memoryFreeBytes: 6e9, appBytes: 3e8 });
    expect(second.gpus[0]).toMatchObject({ name: 'Test GPU', utilizationPercent: 40 });
  });
});
