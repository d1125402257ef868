import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { probeAnswer, probeThought, probeThoughtTokens, thinkingProbeIn } from '../fixtures/probes';
import { builtCli } from '../helpers/server-process';
import { stories260K, temporaryDir } from '../helpers/paths';

const run = promisify(execFile);
const hearth = (...args: string[]) => run(process.execPath, [builtCli, ...args], { env: { ...process.env, HEARTH_GPU: 'cpu' } });

describe('hearth chat and hearth tokenize (the built CLI on stories260K)', () => {
  it('takes the generation settings as flags: a stop sequence cuts the reply and the stats say so', async () => {
    const { stdout, stderr } = await hearth('chat', '--model', stories260K, '--temperature', '0', '--max-tokens', '40', '--stop', 'Lily', '--stop', 'Tom', 'Once upon a time');
    expect(stdout.trim()).toBe(', there was a little girl named');
    expect(stderr).toMatch(/stopped: stop sequence "Lily"/);
  });

  it('runs beam search and prompt-lookup drafting from flags', async () => {
    const beam = await hearth('chat', '--model', stories260K, '--beam-width', '2', '--max-tokens', '8', '--ignore-eos', 'Once upon a time');
    expect(beam.stderr).toMatch(/beam 2, log-probability -\d/);
    expect(beam.stderr).toMatch(/8 tokens/);
    const drafted = await hearth('chat', '--model', stories260K, '--temperature', '0', '--max-tokens', '30', '--prompt-lookup', 'Once upon a time');
    expect(drafted.stdout.startsWith(', there was a little girl named Lily')).toBe(true);
  });

  it("takes --model as an installed model's name in the models folder, and says where it looked when there is none", async () => {
    const dir = temporaryDir();
    try {
      mkdirSync(join(dir.path, 'models'));
      copyFileSync(stories260K, join(dir.path, 'models', 'stories260K.gguf'));
      const { stdout } = await hearth('chat', '--models-dir', join(dir.path, 'models'), '--model', 'stories260K.gguf', '--temperature', '0', '--max-tokens', '12', 'Once upon a time');
      expect(stdout.startsWith(', there was a little girl named')).toBe(true);
      const missing = await hearth('fit', '--models-dir', join(dir.path, 'models'), '--model', 'nowhere.gguf').catch((error: { stderr: string }) => error);
      expect((missing as { stderr: string }).stderr).toMatch(/No model file at .*nowhere\.gguf, and none called "nowhere\.gguf" in the models folder \(.*models\)/);
    } finally {
      dir.remove();
    }
  });

  it('refuses an out-of-range flag with the setting and the reason', async () => {
    const failure = await hearth('chat', '--model', stories260K, '--top-p', '1.5', 'Hi').catch((error: { stderr: string; code: number }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/topP: Top-p is a probability/);
  });

  it('prints the tokens of a text and their count', async () => {
    const { stdout } = await hearth('tokenize', '--model', stories260K, 'Once upon a time');
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^\d+ tokens$/);
    const json = JSON.parse((await hearth('tokenize', '--model', stories260K, '--json', 'Once upon a time')).stdout) as { count: number; tokens: { id: number; text: string }[] };
    expect(json.count).toBe(json.tokens.length);
    expect(json.tokens.map((token) => token.text).join('')).toBe('Once upon a time');
  });
});

describe('hearth chat with a reasoning model (the Qwen3-shaped probe)', () => {
  const dir = temporaryDir();
  const probe = thinkingProbeIn(dir.path);
  afterAll(() => dir.remove());

  it('prints the answer on stdout and the thought on stderr (not dimmed into a pipe), with the figures split', async () => {
    const { stdout, stderr } = await hearth('chat', '--model', probe, '--temperature', '0', 'What is the answer?');
    expect(stdout).toBe(`${probeAnswer}\n`);
    expect(stderr.startsWith(`${probeThought}\n\n`)).toBe(true);
    expect(stderr).not.toContain('\x1b[');
    expect(stderr).toMatch(new RegExp(`thought ${probeThoughtTokens} tokens in [\\d.]+ m?s · answer 5 tokens after`));
  });

  it('drops the thought with --hide-thinking, and with --no-thinking the model does not think', async () => {
    const hidden = await hearth('chat', '--model', probe, '--temperature', '0', '--hide-thinking', 'What is the answer?');
    expect(hidden.stdout).toBe(`${probeAnswer}\n`);
    expect(hidden.stderr).not.toContain(probeThought);
    const off = await hearth('chat', '--model', probe, '--temperature', '0', '--no-thinking', 'What is the answer?');
    expect(off.stdout).toBe(`${probeAnswer}\n`);
    expect(off.stderr).not.toContain('thought');
  });

  it('ends the thought at --thought-budget', async () => {
    const { stdout, stderr } = await hearth('chat', '--model', probe, '--temperature', '0', '--thought-budget', '3', 'What is the answer?');
    expect(stdout).toBe(`${probeAnswer}\n`);
    expect(stderr).toMatch(/thought 5 tokens/);
  });
});
