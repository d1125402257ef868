import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/server-process';
import { stories260K } from '../helpers/paths';

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
