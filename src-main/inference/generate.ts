import { LlamaChat, LlamaCompletion, type LlamaChatResponseFunctionCallParamsChunk, type LlamaChatResponseSegment, type Token } from 'node-llama-cpp';
import type { GenerationSettings, MessageMetrics, ReplySegment, StopReason } from '../api';
import { beamSearch } from './beam';
import { ReplyCollector } from './collector';
import type { SequenceRun } from './session';
import { ReplyClock } from './metrics';
import { generateWithLogprobs, requireLogprobsSupport, type TokenLogprob } from './logprobs';
import { basePrompt, chatHistory, fitPrompt, type FittedPrompt, type Turn } from './prompt';
import { grammarFor, requireCompatibleSettings } from './structured';
import { forcingToolCalls, functionsOf, requireToolSupport, type ReplyTools, type ToolCall } from './tools';
import { endOfSequenceBias, toLlamaSampling } from './sampling';
import { chosenPromptFormat, plainTextFormatName, type PromptFormat } from './template';

export interface ReplyRequest {
  /** Hearth's own system prompt for the conversation (empty by default); never a chat wrapper's built-in one. */
  systemPrompt: string;
  /** The conversation so far: ending with the user's message, or with a reply to continue. */
  turns: Turn[];
  settings: GenerationSettings;
  /** Continue the turns' text as it is, whatever the model's template (the completions API). */
  plainText?: boolean;
  /** With `plainText`: the prompt as token ids, fed as they are (instead of the turns). */
  promptTokens?: readonly number[];
  /** New text of one segment (the thought or the answer), with the tokens generated so far. */
  onDelta?: (delta: string, outputTokens: number, segment: ReplySegment) => void;
  /** Report each token's log probability and its `top` alternatives (see logprobs.ts), before its text arrives as a delta. */
  logprobs?: { top: number; onToken: (entry: TokenLogprob) => void };
  /** Tools the model may call (chat templates only); the reply then ends with its calls (see tools.ts). */
  tools?: ReplyTools;
}

export interface Reply {
  /** The answer. */
  text: string;
  /** The model's thinking before the answer; '' when it had none. */
  thought: string;
  /** The tools the reply called, in order (with `request.tools` only); the reply's stop reason is then `toolCalls`. */
  toolCalls: ToolCall[];
  metrics: MessageMetrics;
}

type LlamaStopReason = 'eogToken' | 'stopGenerationTrigger' | 'customStopTrigger' | 'functionCalls' | 'maxTokens' | 'abort';

interface Generated {
  text: string;
  thought: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  stopSequence: string | null;
  beam: MessageMetrics['beam'];
}

function toStopReason(reason: LlamaStopReason): StopReason {
  if (reason === 'maxTokens') return 'maxTokens';
  if (reason === 'abort') return 'abort';
  if (reason === 'functionCalls') return 'toolCalls';
  return 'eos';
}

/**
 * A reply through node-llama-cpp's generators: a chat model answers through its template (segments,
 * budgets, grammar), a base model continues the plain text.
 */
async function generateWithNodeLlama({
  sequence,
  format,
  request,
  fitted,
  collector,
  tokenBias,
  signal
}: {
  sequence: SequenceRun['sequence'];
  format: PromptFormat;
  request: ReplyRequest;
  fitted: FittedPrompt;
  collector: ReplyCollector;
  tokenBias: ReturnType<typeof endOfSequenceBias>;
  signal: AbortSignal;
}): Promise<{ stopReason: StopReason; thinkingAtEnd: boolean; toolCalls: ToolCall[] }> {
  const { settings, tools } = request;
  const grammar = await grammarFor(sequence.model.llama, settings.responseFormat);
  const options = {
    ...toLlamaSampling(settings),
    ...(grammar ? { grammar } : {}),
    maxTokens: fitted.replyTokens,
    tokenBias,
    signal,
    stopOnAbortSignal: true,
    onToken: (tokens: Token[]) => collector.answerTokens(tokens)
  };
  if (format.kind === 'chat') {
    const chatWrapper = tools?.mode === 'required' ? forcingToolCalls(format.wrapper) : format.wrapper;
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false });
    const calling = tools
      ? {
          functions: functionsOf(tools.tools),
          documentFunctionParams: true,
          ...(tools.parallel ? {} : { maxParallelFunctionCalls: 1 }),
          onFunctionCallParamsChunk: (chunk: LlamaChatResponseFunctionCallParamsChunk) =>
            tools.onCallChunk?.({ index: chunk.callIndex, name: chunk.functionName, argumentsDelta: chunk.paramsChunk })
        }
      : {};
    try {
      const result = await chat.generateResponse(chatHistory(request.systemPrompt, fitted.turns), {
        ...options,
        ...calling,
        onResponseChunk: (chunk) => collector.chunk(chunk),
        ...(settings.thoughtBudget === null ? {} : { budgets: { thoughtTokens: settings.thoughtBudget, includeCurrentResponse: true } })
      });
      const last = result.fullResponse.at(-1) as string | LlamaChatResponseSegment | undefined;
      const calls = (result.functionCalls ?? []) as { functionName: string; params: unknown }[];
      const toolCalls = calls.map((call) => ({ name: call.functionName, arguments: JSON.stringify(call.params ?? {}) }));
      return { stopReason: toStopReason(result.metadata.stopReason), thinkingAtEnd: typeof last === 'object' && last.type === 'segment' && !last.ended, toolCalls };
    } finally {
      chat.dispose();
    }
  }
  const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
  try {
    const input = request.promptTokens ? fitted.tokens : basePrompt(request.systemPrompt, fitted.turns);
    const result = await completion.generateCompletionWithMeta(input, { ...options, onTextChunk: (text: string) => collector.answerText(text) });
    return { stopReason: toStopReason(result.metadata.stopReason), thinkingAtEnd: false, toolCalls: [] };
  } finally {
    completion.dispose();
  }
}

/** The format a reply on this session is prompted in: plain text, or the conversation's template with thinking on or off. */
export function replyFormat(session: SequenceRun['session'], request: Pick<ReplyRequest, 'plainText' | 'settings'>): PromptFormat {
  if (request.plainText) return { kind: 'base', name: plainTextFormatName, thinking: 'none' };
  return chosenPromptFormat(session.model, session.format, request.settings.chatTemplate, request.settings.thinking);
}

/** Generates one reply on the run's sequence, streaming its thought and answer as deltas, and measures it. */
export async function generateReply({ session, sequence }: SequenceRun, request: ReplyRequest, signal: AbortSignal): Promise<Reply> {
  const { model } = session;
  const { settings } = request;
  requireCompatibleSettings(settings);
  const format = replyFormat(session, request);
  if (request.tools) requireToolSupport(format, settings, Boolean(request.logprobs));
  if (request.logprobs) requireLogprobsSupport(format, settings);
  const fitted = fitPrompt(model, format, request, session.info.contextSize, request.tools ? functionsOf(request.tools.tools) : undefined);
  const clock = new ReplyClock();
  const predictionsBefore = sequence.tokenPredictions;

  let generated: Generated;
  if (settings.beamWidth > 1) {
    // Each beam holds the prompt and its reply, no more: width × the whole context could outgrow the memory the fit check allowed.
    const beamContextSize = Math.min(session.info.contextSize, fitted.tokens.length + fitted.replyTokens + 1);
    const context = await model.createContext({ contextSize: beamContextSize, sequences: settings.beamWidth, threads: session.info.threads });
    try {
      const sequences = Array.from({ length: settings.beamWidth }, () => context.getSequence());
      let steps = 0;
      const result = await beamSearch(model, sequences, {
        promptTokens: fitted.tokens,
        width: settings.beamWidth,
        maxTokens: fitted.replyTokens,
        lengthPenalty: settings.lengthPenalty,
        stopAtEos: settings.stopAtEos,
        stop: settings.stop,
        signal,
        onStep: () => clock.tokens(1, 'answer', steps++ === 0 ? { promptTokens: fitted.tokens.length, prefillTokens: fitted.tokens.length } : undefined)
      });
      // Beams overtake one another until the end, so the chosen text arrives in one piece.
      request.onDelta?.(result.text, result.tokens.length, 'answer');
      generated = {
        text: result.text,
        thought: '',
        toolCalls: [],
        stopReason: result.finishedBy,
        stopSequence: result.stopSequence,
        beam: { width: settings.beamWidth, logProbability: result.logProbability }
      };
    } finally {
      await context.dispose();
    }
  } else {
    const continued = fitted.turns.at(-1);
    // A stop string ends generation through its own signal, so the reply is kept like a stopped one.
    const stopped = new AbortController();
    const collector = new ReplyCollector(sequence, clock, fitted.tokens.length, {
      onDelta: request.onDelta,
      afterThought: continued?.role === 'assistant' && continued.content === '' && Boolean(continued.thought),
      stops: settings.stop,
      onStop: () => stopped.abort()
    });
    const tokenBias = endOfSequenceBias(model, settings);
    const { stopReason: ended, thinkingAtEnd, toolCalls } = request.logprobs
      ? {
          stopReason: await generateWithLogprobs(model, sequence, {
            promptTokens: fitted.tokens,
            maxTokens: fitted.replyTokens,
            settings,
            tokenBias,
            top: request.logprobs.top,
            collector,
            onToken: request.logprobs.onToken,
            signal
          }),
          thinkingAtEnd: false,
          toolCalls: []
        }
      : await generateWithNodeLlama({ sequence, format, request, fitted, collector, tokenBias, signal: AbortSignal.any([signal, stopped.signal]) });
    collector.finish();
    let stopReason: StopReason = collector.stopSequence !== null ? 'stopSequence' : ended;
    // A reply cut short because the context had no more room, not because of the user's max tokens.
    if (stopReason === 'maxTokens' && fitted.replyTokens < settings.maxTokens) stopReason = 'contextFull';
    else if (stopReason === 'maxTokens' && thinkingAtEnd) stopReason = 'maxTokensInThought';
    generated = { text: collector.answer, thought: collector.thought, toolCalls, stopReason, stopSequence: collector.stopSequence, beam: null };
  }

  const predictions = sequence.tokenPredictions;
  const metrics = clock.finish({
    stopReason: generated.stopReason,
    stopSequence: generated.stopSequence,
    model: session.info.name,
    quantization: session.quantization,
    chatTemplate: format.name,
    settings,
    threads: session.info.threads,
    gpuLayers: session.info.gpuLayers,
    contextSize: session.info.contextSize,
    droppedTurns: fitted.droppedTurns,
    beam: generated.beam,
    speculation:
      settings.drafting.kind === 'off' || settings.beamWidth > 1
        ? null
        : {
            kind: settings.drafting.kind,
            draftModel: settings.drafting.kind === 'model' ? settings.drafting.name : null,
            validated: predictions.validated - predictionsBefore.validated,
            refuted: predictions.refuted - predictionsBefore.refuted
          }
  });
  return { text: generated.text, thought: generated.thought, toolCalls: generated.toolCalls, metrics };
}
