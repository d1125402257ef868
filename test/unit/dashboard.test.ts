import { describe, expect, it } from 'vitest';
import { interTokenBucketsMs, type BenchmarkResult, type MessageMetrics, type ReplyRecord, type TelemetrySample } from '../../src-main/api';
import { sampleMetrics } from '../fixtures/metrics';
import { bandwidthSourceText, count, deviceLabel } from '../../src-renderer/src/lib/format';
import {
  dayRange,
  formatMoney,
  groupByContextSize,
  groupByModel,
  interTokenBucketLabels,
  latestFirst,
  clockTicks,
  loadColumns,
  meanOf,
  memoryColumns,
  mergeSamples,
  parseBatchSizes,
  replyColumns,
  speedForCost,
  sumHistograms
} from '../../src-renderer/src/lib/dashboardStats';

let nextId = 1;
function reply(overrides: Partial<MessageMetrics> = {}, createdAt = 1_700_000_000_000 + nextId * 1000): ReplyRecord {
  const messageId = nextId++;
  return { messageId, conversationId: 1, conversationTitle: 'Stories', createdAt, metrics: sampleMetrics(overrides) };
}

function sample(at: number, overrides: Partial<TelemetrySample> = {}): TelemetrySample {
  return { at, cpuPercent: 10, memoryTotalBytes: 16e9, memoryFreeBytes: 6e9, appBytes: 2e8, gpus: [], ...overrides };
}

function benchmark(model: string, decodeMean: number): BenchmarkResult {
  const statistic = { mean: decodeMean, std: 1, n: 5 };
  return {
    id: 1,
    createdAt: 0,
    model,
    quantization: 'Q4_K_M',
    threads: 8,
    gpuLayers: 0,
    contextSize: 4096,
    hardware: 'cpu',
    promptTokens: 512,
    genTokens: 128,
    reps: 5,
    loadMs: 100,
    prefillTokensPerSecond: statistic,
    decodeTokensPerSecond: statistic,
    parallel: [],
    bandwidthGbPerSecond: 50,
    bandwidthSource: 'measured (CPU memory test)',
    bytesPerToken: 1e9,
    limitTokensPerSecond: 50,
    percentOfLimit: decodeMean * 2
  };
}

describe('averages of replies', () => {
  it('averages what was measured and leaves out the rest', () => {
    expect(meanOf([10, null, 20])).toBe(15);
    expect(meanOf([null, null])).toBeNull();
    expect(meanOf([])).toBeNull();
  });

  it('groups by model and quantization, named by both', () => {
    const records = [
      reply({ model: 'b.gguf', quantization: 'Q4_K_M', decodeTokensPerSecond: 10, ttftMs: 100 }),
      reply({ model: 'a.gguf', quantization: null, decodeTokensPerSecond: 50, ttftMs: null }),
      reply({ model: 'b.gguf', quantization: 'Q4_K_M', decodeTokensPerSecond: 30, ttftMs: 300 }),
      reply({ model: 'b.gguf', quantization: 'Q8_0', decodeTokensPerSecond: null, ttftMs: 50 })
    ];
    expect(groupByModel(records)).toEqual([
      { key: 'a.gguf\u0000', label: 'a.gguf', replies: 1, meanDecodeTokensPerSecond: 50, meanTtftMs: null },
      { key: 'b.gguf\u0000Q4_K_M', label: 'b.gguf (Q4_K_M)', replies: 2, meanDecodeTokensPerSecond: 20, meanTtftMs: 200 },
      { key: 'b.gguf\u0000Q8_0', label: 'b.gguf (Q8_0)', replies: 1, meanDecodeTokensPerSecond: null, meanTtftMs: 50 }
    ]);
  });

  it('groups by context length, shortest first, numerically', () => {
    const records = [
      reply({ contextSize: 8192, decodeTokensPerSecond: 8 }),
      reply({ contextSize: 512, decodeTokensPerSecond: 40 }),
      reply({ contextSize: 8192, decodeTokensPerSecond: 12 }),
      reply({ contextSize: 0, decodeTokensPerSecond: 1 })
    ];
    const groups = groupByContextSize(records);
    expect(groups.map((group) => [group.label, group.replies, group.meanDecodeTokensPerSecond])).toEqual([
      ['unknown', 1, 1],
      ['512 tokens', 1, 40],
      ['8K', 2, 10]
    ]);
  });
});

describe('the inter-token latency histogram', () => {
  it('adds the replies’ buckets, one per edge plus one for anything slower', () => {
    const last = interTokenBucketsMs.length;
    const slow = new Array<number>(last + 1).fill(0);
    slow[last] = 4;
    const totals = sumHistograms([reply({ interTokenHistogram: [0, 0, 2] }), reply({ interTokenHistogram: [1, 0, 3] }), reply({ interTokenHistogram: slow }), reply({ interTokenHistogram: [] })]);
    expect(totals).toHaveLength(last + 1);
    expect(totals.slice(0, 3)).toEqual([1, 0, 5]);
    expect(totals[last]).toBe(4);
    expect(totals.reduce((sum, count) => sum + count, 0)).toBe(10);
  });

  it('labels each bucket by its upper edge, the last as everything above', () => {
    expect(interTokenBucketLabels).toHaveLength(interTokenBucketsMs.length + 1);
    expect(interTokenBucketLabels[0]).toBe('≤0.5');
    expect(interTokenBucketLabels.at(-1)).toBe('>1000');
  });
});

describe('filters and the table', () => {
  it('lists the latest replies newest first', () => {
    const records = [reply(), reply(), reply()];
    const stored = records.map((record) => record.messageId);
    expect(latestFirst(records, 2).map((record) => record.messageId)).toEqual([stored[2], stored[1]]);
    // The store's own list stays oldest first: the chart draws from it.
    expect(records.map((record) => record.messageId)).toEqual(stored);
  });

  it('turns date inputs into whole local days', () => {
    const { since, until } = dayRange('2025-03-01', '2025-03-02');
    expect(since).toBe(new Date(2025, 2, 1).getTime());
    expect(until).toBe(new Date(2025, 2, 3).getTime() - 1);
    expect(dayRange('', '')).toEqual({});
    expect(dayRange('2025-03-01', '')).toEqual({ since: new Date(2025, 2, 1).getTime() });
  });

});

describe('the benchmark form', () => {
  it('reads parallel sequence counts the API accepts', () => {
    expect(parseBatchSizes('1, 2, 4')).toEqual([1, 2, 4]);
    expect(parseBatchSizes(' 8 ')).toEqual([8]);
    expect(parseBatchSizes('')).toBeNull();
    expect(parseBatchSizes('0, 2')).toBeNull();
    expect(parseBatchSizes('17')).toBeNull();
    expect(parseBatchSizes('1.5')).toBeNull();
    expect(parseBatchSizes('1,2,3,4,5,6,7')).toBeNull();
  });
});

describe('cost', () => {
  it('prefers the latest benchmark’s decode speed, else the replies’ average, and says which', () => {
    const records = [reply({ decodeTokensPerSecond: 20 }), reply({ decodeTokensPerSecond: 40 }), reply({ decodeTokensPerSecond: null })];
    expect(speedForCost([benchmark('new.gguf', 30), benchmark('old.gguf', 5)], records)).toEqual({
      tokensPerSecond: 30,
      source: 'the latest benchmark (new.gguf, decode mean)'
    });
    expect(speedForCost([], records)).toEqual({ tokensPerSecond: 30, source: 'the average decode speed of the 2 replies shown' });
    expect(speedForCost([], [reply({ decodeTokensPerSecond: null })])).toBeNull();
  });

  it('shows small amounts with enough digits, and any currency', () => {
    expect(formatMoney(0.017857, 'USD')).toBe('$0.0179');
    expect(formatMoney(0.3, 'USD')).toBe('$0.30');
    expect(formatMoney(0, 'USD')).toBe('$0.00');
    expect(formatMoney(12.5, 'EUR')).toBe('€12.50');
    expect(formatMoney(0.05, 'credits')).toBe('0.05 credits');
  });
});

describe('live chart columns', () => {
  it('keeps samples in time order, once each, within the window before the newest', () => {
    const merged = mergeSamples([sample(1000), sample(3000)], [sample(2000), sample(3000), sample(400_000)], 300_000);
    expect(merged.map((entry) => entry.at)).toEqual([400_000]);
    expect(mergeSamples([sample(3000)], [sample(1000), sample(2000)]).map((entry) => entry.at)).toEqual([1000, 2000, 3000]);
  });

  it('draws RAM in use, Hearth and each GPU’s VRAM against seconds', () => {
    const gpu = { name: 'RTX', vramTotalBytes: 8e9, vramUsedBytes: 3e9, utilizationPercent: 40 };
    const samples = [sample(1000), sample(2000, { gpus: [gpu], cpuPercent: null })];
    expect(memoryColumns(samples, 1)).toEqual([
      [1, 2],
      [10e9, 10e9],
      [2e8, 2e8],
      [null, 3e9]
    ]);
    expect(loadColumns(samples, 1)).toEqual([
      [1, 2],
      [10, null],
      [null, 40]
    ]);
  });

  it('breaks the line where no samples came (the dashboard was closed) instead of joining across the silence', () => {
    const samples = [sample(1000), sample(2000), sample(60_000), sample(61_000)];
    expect(loadColumns(samples, 0)).toEqual([
      [1, 2, 3, 60, 61],
      [10, 10, null, 10, 10]
    ]);
  });

  it('labels time ticks as clock times, minutes on the minute', () => {
    const at = Date.UTC(2026, 10, 30, 14, 5, 0) / 1000;
    const ticks = clockTicks([at, at + 30], 'en-GB');
    expect(ticks[0]).toMatch(/^\d\d:05$/);
    expect(ticks[1]).toMatch(/^\d\d:05:30$/);
  });

  it('draws each reply’s decode speed and time to first token at its time', () => {
    const records = [reply({ decodeTokensPerSecond: 12, ttftMs: 80 }, 5000)];
    expect(replyColumns(records)).toEqual([[5], [12], [80]]);
  });
});

describe('benchmark facts in plain words', () => {
  it('names the device, counts in the singular when there is one, and says where the bandwidth came from', () => {
    expect(deviceLabel('cpu:AMD EPYC 7763 64-Core Processor')).toBe('CPU (AMD EPYC 7763 64-Core Processor)');
    expect(deviceLabel('cuda:NVIDIA H200')).toBe('CUDA GPU (NVIDIA H200)');
    expect(deviceLabel('vulkan:unknown')).toBe('Vulkan GPU');
    expect(count(1, 'thread')).toBe('1 thread');
    expect(count(0, 'GPU layer')).toBe('0 GPU layers');
    expect(count(2048, 'token')).toBe('2,048 tokens');
    expect(bandwidthSourceText('measured (CPU memory test)')).toBe('measured by a CPU memory test');
    expect(bandwidthSourceText('GPU specification table')).toBe("from the GPU's specification");
  });
});
