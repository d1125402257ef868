import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleMetrics } from '../fixtures/metrics';
import {
  createRouter,
  formatReplyStats,
  httpStatusOf,
  errorCodes,
  methodNames,
  methods,
  type Handlers
} from '../../src-main/api';

function handlersReturning(fn: (name: string, input: unknown) => unknown): Handlers {
  return Object.fromEntries(methodNames.map((name) => [name, (input: unknown) => fn(name, input)])) as unknown as Handlers;
}

describe('the contract', () => {
  it('gives every method a zod input schema', () => {
    expect(methodNames.length).toBeGreaterThan(10);
    for (const name of methodNames) expect(methods[name].input).toBeInstanceOf(z.ZodType);
  });

  it('maps every error code to an HTTP status', () => {
    for (const code of errorCodes) expect(httpStatusOf[code]).toBeGreaterThanOrEqual(400);
  });
});

describe('the router', () => {
  const router = createRouter(handlersReturning((name, input) => ({ name, input })));

  it('validates the input and passes the parsed value to the handler', async () => {
    expect(await router.call('conversations.get', { id: 3 })).toEqual({ ok: true, result: { name: 'conversations.get', input: { id: 3 } } });
    expect(await router.call('app.info', undefined)).toMatchObject({ ok: true });
  });

  it('answers unknown methods, including prototype names, with UNKNOWN_METHOD', async () => {
    for (const name of ['nope', 'toString', '__proto__', 42, null]) {
      expect(await router.call(name, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('lists every wrong field of a bad input', async () => {
    const result = await router.call('conversations.update', { id: -1, pinned: 'yes', settings: { temperature: 9 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('VALIDATION');
    expect(result.error.issues?.map((issue) => issue.path).sort()).toEqual(['id', 'pinned', 'settings.temperature']);
    expect(result.error.message).toMatch(/^Invalid input — /);
  });

  it('turns a handler that throws into an INTERNAL error envelope instead of a rejection', async () => {
    const failing = createRouter(handlersReturning(() => {
      throw new Error('disk on fire');
    }));
    expect(await failing.call('app.info', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'disk on fire' } });
  });
});

describe('reply stats line', () => {
  const metrics = sampleMetrics({
    model: 'm.gguf',
    quantization: 'Q4_K_M',
    chatTemplate: 'ChatML',
    promptTokens: 10,
    prefillTokens: 10,
    outputTokens: 128,
    ttftMs: 3.2,
    prefillTokensPerSecond: 3000,
    decodeTokensPerSecond: 742.4,
    totalMs: 200,
    threads: 2
  });

  it('reads like the issue example', () => {
    expect(formatReplyStats(metrics)).toBe('742 tok/s · 3 ms to first token · 128 tokens · stopped: end of text');
  });

  it('leaves out figures that were not measured', () => {
    expect(formatReplyStats({ ...metrics, decodeTokensPerSecond: null, ttftMs: null, outputTokens: 1, stopReason: 'abort' })).toBe(
      '1 token · stopped by you'
    );
    expect(formatReplyStats({ ...metrics, decodeTokensPerSecond: 12.345 })).toMatch(/^12\.3 tok\/s/);
  });
});
