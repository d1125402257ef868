import type { ChatHistoryItem, Token } from 'node-llama-cpp';
import { basename } from 'node:path';
import type { MessageMetrics, SamplingSettings, StopReason } from '../api';
import type { LoadedSession } from './engine';
import { ReplyClock } from './metrics';
import { toLlamaSampling } from './sampling';

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ReplyRequest {
  /** Hearth's own system prompt for the conversation (empty by default); never a chat wrapper's built-in one. */
  systemPrompt: string;
  /** The conversation so far, ending with the user's message. */
  turns: Turn[];
  settings: SamplingSettings;
  onDelta?: (delta: string, outputTokens: number) => void;
}

export interface Reply {
  text: string;
  metrics: MessageMetrics;
}

type LlamaStopReason = 'eogToken' | 'stopGenerationTrigger' | 'customStopTrigger' | 'functionCalls' | 'maxTokens' | 'abort';

function toStopReason(reason: LlamaStopReason): StopReason {
  if (reason === 'maxTokens') return 'maxTokens';
  if (reason === 'abort') return 'abort';
  return 'eos';
}

/** A base model has no chat format: it continues the conversation's plain text. */
export function basePrompt(systemPrompt: string, turns: Turn[]): string {
  return (systemPrompt ? `${systemPrompt}\n` : '') + turns.map((turn) => turn.content).join('');
}

export function chatHistory(systemPrompt: string, turns: Turn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = systemPrompt ? [{ type: 'system', text: systemPrompt }] : [];
  for (const turn of turns) {
    history.push(turn.role === 'user' ? { type: 'user', text: turn.content } : { type: 'model', response: [turn.content] });
  }
  return history;
}

/** Generates one reply on the loaded session, streaming deltas, and measures it. */
export async function generateReply(session: LoadedSession, request: ReplyRequest, signal: AbortSignal): Promise<Reply> {
  const { sequence } = session;
  const clock = new ReplyClock();
  const inputTokensBefore = sequence.tokenMeter.usedInputTokens;
  const onToken = (tokens: Token[]) => {
    // At the first token the sequence holds the whole prompt plus the tokens just emitted.
    clock.tokens(tokens.length, {
      promptTokens: sequence.contextTokens.length - tokens.length,
      prefillTokens: sequence.tokenMeter.usedInputTokens - inputTokensBefore
    });
  };
  const onTextChunk = (text: string) => request.onDelta?.(text, clock.emittedTokens);
  const options = { ...toLlamaSampling(request.settings), signal, stopOnAbortSignal: true, onToken, onTextChunk };

  let text: string;
  let reason: LlamaStopReason;
  if (session.chat) {
    const result = await session.chat.generateResponse(chatHistory(request.systemPrompt, request.turns), options);
    text = result.response;
    reason = result.metadata.stopReason;
  } else if (session.completion) {
    const result = await session.completion.generateCompletionWithMeta(basePrompt(request.systemPrompt, request.turns), options);
    text = result.response;
    reason = result.metadata.stopReason;
  } else {
    throw new Error('The loaded model has neither a chat nor a completion evaluator.');
  }

  const metrics = clock.finish({
    stopReason: toStopReason(reason),
    modelFile: basename(session.info.path),
    quantization: session.quantization,
    chatTemplate: session.format.name,
    sampling: request.settings,
    threads: session.info.threads
  });
  return { text, metrics };
}
