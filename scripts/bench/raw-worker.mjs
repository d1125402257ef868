/**
 * The raw side of figures 1 and 2: node-llama-cpp alone, in its own process, with no Hearth code,
 * given the settings Hearth passes for a conversation at temperature 0 with "stop at end of
 * sequence" off (src-main/inference/sampling.ts): every sampling option explicit, no repeat
 * penalty, every end-of-generation token banned. Same model, context size (the model's training
 * context, at most 4096), threads (HEARTH_THREADS) and GPU setting (none) as the app.
 *
 * Driven over IPC: {type:'run', prompt, maxTokens} → {type:'result', decode, ttft, tokens}.
 * Timing as Hearth's ReplyClock: TTFT from the call to the first token, decode = tokens after the
 * first over the time from the first token to the last.
 */
import { getLlama, LlamaCompletion, LlamaLogLevel, TokenBias } from 'node-llama-cpp';

const [modelPath] = process.argv.slice(2);
const threads = Number(process.env.HEARTH_THREADS) || 1;

const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: Math.min(model.trainContextSize, 4096), threads });
const sequence = context.getSequence();

const endTokens = [];
const vocabularySize = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
for (let id = 0; id < vocabularySize; id++) if (model.isEogToken(id)) endTokens.push(id);

async function run(prompt, maxTokens) {
  const bias = new TokenBias(model.tokenizer);
  for (const token of endTokens) bias.set(token, 'never');
  const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
  let firstAt = null;
  let lastAt = null;
  let tokens = 0;
  try {
    const startedAt = performance.now();
    await completion.generateCompletionWithMeta(prompt, {
      temperature: 0,
      topK: 40,
      topP: 0.95,
      minP: 0.05,
      maxTokens,
      repeatPenalty: false,
      customStopTriggers: [],
      tokenBias: bias,
      onToken: (chunk) => {
        const at = performance.now();
        firstAt ??= at;
        lastAt = at;
        tokens += chunk.length;
      }
    });
    return { decode: ((tokens - 1) * 1000) / (lastAt - firstAt), ttft: firstAt - startedAt, tokens };
  } finally {
    completion.dispose();
  }
}

process.on('message', async (message) => {
  if (message.type !== 'run') return;
  try {
    process.send({ type: 'result', ...(await run(message.prompt, message.maxTokens)) });
  } catch (error) {
    process.send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', threads, contextSize: context.contextSize });
