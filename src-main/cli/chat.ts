import { basename, resolve } from 'node:path';
import { defaultGenerationSettings, formatReplyStats, generationSettingsSchema, knownChatTemplates, type GenerationSettings, type ReplySegment } from '../api';
import { FileModels, LocalBackend } from '../app';
import { gpuFromEnv, InferenceEngine, threadsFromEnv } from '../inference';

export interface ChatFlags {
  model?: string;
  system?: string;
  temperature?: string;
  'top-k'?: string;
  'top-p'?: string;
  'min-p'?: string;
  'repeat-penalty'?: string;
  'repeat-last-n'?: string;
  'presence-penalty'?: string;
  'frequency-penalty'?: string;
  'max-tokens'?: string;
  seed?: string;
  stop?: string[];
  'ignore-eos'?: boolean;
  template?: string;
  'beam-width'?: string;
  'length-penalty'?: string;
  'draft-model'?: string;
  'prompt-lookup'?: boolean;
  'no-thinking'?: boolean;
  'thought-budget'?: string;
  'hide-thinking'?: boolean;
  threads?: string;
}

/** The same settings the app stores per conversation, from command-line flags, validated by the same schema. */
export function settingsFromFlags(flags: ChatFlags): GenerationSettings {
  const numberOf = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const template = flags.template;
  if (template !== undefined && !(knownChatTemplates as readonly string[]).includes(template)) {
    throw new Error(`--template must be one of: ${knownChatTemplates.join(', ')}`);
  }
  const given: Partial<Record<keyof GenerationSettings, unknown>> = {
    temperature: numberOf(flags.temperature),
    topK: numberOf(flags['top-k']),
    topP: numberOf(flags['top-p']),
    minP: numberOf(flags['min-p']),
    repeatPenalty: numberOf(flags['repeat-penalty']),
    repeatLastTokens: numberOf(flags['repeat-last-n']),
    presencePenalty: numberOf(flags['presence-penalty']),
    frequencyPenalty: numberOf(flags['frequency-penalty']),
    maxTokens: numberOf(flags['max-tokens']),
    seed: numberOf(flags.seed),
    stop: flags.stop,
    stopAtEos: flags['ignore-eos'] ? false : undefined,
    chatTemplate: template === undefined ? undefined : { kind: 'named', name: template },
    beamWidth: numberOf(flags['beam-width']),
    lengthPenalty: numberOf(flags['length-penalty']),
    drafting: flags['draft-model'] ? { kind: 'model', name: basename(flags['draft-model']) } : flags['prompt-lookup'] ? { kind: 'promptLookup' } : undefined,
    thinking: flags['no-thinking'] ? false : undefined,
    thoughtBudget: numberOf(flags['thought-budget'])
  };
  const parsed = generationSettingsSchema.safeParse({
    ...defaultGenerationSettings,
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined))
  });
  if (!parsed.success) throw new Error(`Invalid option: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

async function withModel<T>(flags: ChatFlags, work: (engine: InferenceEngine) => Promise<T>, contextSize?: number): Promise<T> {
  if (!flags.model) throw new Error('This command needs --model <file.gguf>');
  const threads = flags.threads === undefined ? threadsFromEnv() : Number(flags.threads);
  const engine = new InferenceEngine({ threads, gpu: gpuFromEnv() });
  try {
    await engine.load(resolve(flags.model), basename(flags.model), contextSize === undefined ? {} : { contextSize });
    return await work(engine);
  } finally {
    await engine.dispose();
  }
}

/**
 * Where a reply's text goes: the answer to stdout (what a pipe takes), a reasoning model's thought to
 * stderr, dimmed on a terminal (unless NO_COLOR is set) or dropped with `hide`.
 */
export function replyPrinter(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream & { isTTY?: boolean }, hide: boolean) {
  const dim = stderr.isTTY === true && !process.env.NO_COLOR;
  let thinking = false;
  return {
    delta(delta: string, segment: ReplySegment): void {
      if (segment === 'thought') {
        if (hide) return;
        thinking = true;
        stderr.write(dim ? `\x1b[2m${delta}\x1b[22m` : delta);
        return;
      }
      if (thinking) stderr.write('\n\n');
      thinking = false;
      stdout.write(delta);
    },
    end(): void {
      if (thinking) stderr.write('\n');
      stdout.write('\n');
    }
  };
}

/** `hearth chat`: one reply through the same pipeline as the app's chat, streamed (see `replyPrinter`); Ctrl+C stops it. */
export async function chatCommand(flags: ChatFlags, prompt: string, contextSize?: number): Promise<void> {
  if (!prompt) throw new Error('hearth chat needs the prompt text');
  if (!flags.model) throw new Error('This command needs --model <file.gguf>');
  const settings = { ...settingsFromFlags(flags), contextSize: contextSize ?? null };
  const engine = new InferenceEngine({ threads: flags.threads === undefined ? threadsFromEnv() : Number(flags.threads), gpu: gpuFromEnv() });
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once('SIGINT', abort);
  try {
    const backend = new LocalBackend(engine, new FileModels(engine, resolve(flags.model), flags['draft-model'] ? resolve(flags['draft-model']) : null), 'chat');
    const prepared = await backend.prepare(basename(flags.model), settings);
    const printer = replyPrinter(process.stdout, process.stderr, flags['hide-thinking'] === true);
    const reply = await prepared.generate(
      { systemPrompt: flags.system ?? '', turns: [{ role: 'user', content: prompt }], settings, onDelta: (delta, _tokens, segment) => printer.delta(delta, segment) },
      stop.signal
    );
    printer.end();
    const beam = reply.metrics.beam ? ` · beam ${reply.metrics.beam.width}, log-probability ${reply.metrics.beam.logProbability.toFixed(3)}` : '';
    console.error(`${formatReplyStats(reply.metrics)} · ${reply.metrics.promptTokens} prompt tokens · ${reply.metrics.threads} threads · ${reply.metrics.chatTemplate}${beam}`);
  } finally {
    process.off('SIGINT', abort);
    await engine.dispose();
  }
}

/** Prints the model's tokens for the text: one per line (id, then the piece as JSON so spaces show), then the count. */
export async function tokenizeCommand(flags: ChatFlags, text: string, json: boolean): Promise<void> {
  await withModel(flags, async (engine) => {
    const model = engine.loaded!.model;
    const tokens = model.tokenize(text);
    const pieces = tokens.map((id, index) => ({ id: Number(id), text: model.detokenize([id], true, tokens.slice(0, index)) }));
    if (json) {
      console.log(JSON.stringify({ model: basename(flags.model!), count: pieces.length, tokens: pieces }, null, 2));
      return;
    }
    for (const piece of pieces) console.log(`${String(piece.id).padStart(7)}  ${JSON.stringify(piece.text)}`);
    console.log(`${pieces.length} ${pieces.length === 1 ? 'token' : 'tokens'}`);
  });
}
