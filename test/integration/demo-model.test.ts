import { readGgufFileInfo } from 'node-llama-cpp';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGenerationSettings, type GenerationSettings } from '../../src-main/api';
import { generateReply, InferenceEngine, type Reply, type Turn } from '../../src-main/inference';
import { demoModelFileName, demoReply, ensureDemoModel, writeDemoModel } from '../../src-main/models';
import { temporaryDir } from '../helpers/paths';

describe('the built-in demo model (real node-llama-cpp)', () => {
  const dir = temporaryDir();
  const path = join(dir.path, demoModelFileName);
  const engine = new InferenceEngine({ gpu: false });

  beforeAll(async () => {
    writeDemoModel(path);
    await engine.load(path);
  });
  afterAll(async () => {
    await engine.dispose();
    dir.remove();
  });

  const ask = (turns: Turn[], settings: GenerationSettings): Promise<Reply> =>
    engine.run((run, signal) => generateReply(run, { systemPrompt: '', turns, settings }, signal), { kind: 'chat' });

  it('is a small file whose bytes are the same every time it is written', () => {
    expect(statSync(path).size).toBeLessThan(5 * 1024 * 1024);
    const again = join(dir.path, 'again.gguf');
    writeDemoModel(again);
    expect(readFileSync(again).equals(readFileSync(path))).toBe(true);
  });

  it('carries its name and a chat template in its metadata', async () => {
    const info = await readGgufFileInfo(path);
    expect(info.metadata.general).toMatchObject({ architecture: 'llama', name: 'Hearth Demo' });
    expect(info.metadata.tokenizer.chat_template).toContain('add_generation_prompt');
  });

  it('loads as a chat model through its own template', () => {
    expect(engine.status().model).toMatchObject({ isBaseModel: false, chatTemplate: "the model's own (Jinja)" });
    expect(engine.loaded!.model.getWarnings()).toEqual([]);
  });

  it('answers greedily with its one sentence, then end of sequence', async () => {
    const reply = await ask([{ role: 'user', content: 'Hi there, who are you?' }], { ...defaultGenerationSettings, temperature: 0 });
    expect(reply.text).toBe(demoReply);
    expect(reply.metrics.stopReason).toBe('eos');
  });

  it('answers the same with the default sampling settings and any message', async () => {
    for (const content of ['Write me a poem about the sea.', 'ok', '¿Qué tal? 日本語 🙂']) {
      const reply = await ask([{ role: 'user', content }], defaultGenerationSettings);
      expect(reply.text).toBe(demoReply);
      expect(reply.metrics.stopReason).toBe('eos');
    }
  });

  it('answers the same on a later turn', async () => {
    const turns: Turn[] = [
      { role: 'user', content: 'Hi there, who are you?' },
      { role: 'assistant', content: demoReply },
      { role: 'user', content: 'Can you say anything else?' }
    ];
    const reply = await ask(turns, defaultGenerationSettings);
    expect(reply.text).toBe(demoReply);
    expect(reply.metrics.stopReason).toBe('eos');
  });
});

describe('ensureDemoModel', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it('writes the demo model into an empty (or missing) models folder', async () => {
    const modelsDir = join(dir.path, 'first-run', 'models');
    const written = await ensureDemoModel(modelsDir);
    expect(written).toBe(join(modelsDir, demoModelFileName));
    expect(readdirSync(modelsDir)).toEqual([demoModelFileName]);
    const reference = join(dir.path, 'reference.gguf');
    writeDemoModel(reference);
    expect(readFileSync(written!).equals(readFileSync(reference))).toBe(true);
    expect(await ensureDemoModel(modelsDir)).toBeNull();
  });

  it('does nothing when the folder already holds a .gguf', async () => {
    const modelsDir = join(dir.path, 'has-models');
    mkdirSync(join(modelsDir, 'sub'), { recursive: true });
    writeFileSync(join(modelsDir, 'sub', 'mine.gguf'), 'not even a real model');
    expect(await ensureDemoModel(modelsDir)).toBeNull();
    expect(readdirSync(modelsDir)).toEqual(['sub']);
  });

  it('never replaces an existing file of its name', async () => {
    const modelsDir = join(dir.path, 'taken');
    mkdirSync(join(modelsDir, demoModelFileName), { recursive: true });
    expect(await ensureDemoModel(modelsDir)).toBeNull();
    expect(statSync(join(modelsDir, demoModelFileName)).isDirectory()).toBe(true);
    expect(readdirSync(modelsDir)).toEqual([demoModelFileName]);
  });
});
