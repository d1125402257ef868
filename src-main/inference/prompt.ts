import type { ChatHistoryItem, ChatModelFunctions, ChatModelResponse, LlamaModel, Token } from 'node-llama-cpp';
import { ApiError, type GenerationSettings } from '../api';
import type { PromptFormat } from './template';

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
  /**
   * Only on a reply being continued: its thought so far, and whether it had ended. Earlier replies'
   * thoughts are never sent back to the model.
   */
  thought?: { text: string; ended: boolean };
  /** An assistant turn's tool calls (after its text), each with the result the client sent back. */
  toolCalls?: { name: string; arguments: unknown; result: unknown }[];
}

/** A base model has no chat format: it continues the conversation's plain text. */
export function basePrompt(systemPrompt: string, turns: Turn[]): string {
  return (systemPrompt ? `${systemPrompt}\n` : '') + turns.map((turn) => turn.content).join('');
}

/**
 * The turns as node-llama-cpp's chat history. Consecutive assistant turns are one model response: a
 * reply that called tools and then, with their results, answered.
 */
export function chatHistory(systemPrompt: string, turns: Turn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = systemPrompt ? [{ type: 'system', text: systemPrompt }] : [];
  for (const turn of turns) {
    if (turn.role === 'user') {
      history.push({ type: 'user', text: turn.content });
      continue;
    }
    const response: ChatModelResponse['response'] = [];
    if (turn.thought) response.push({ type: 'segment', segmentType: 'thought', text: turn.thought.text, ended: turn.thought.ended });
    if (turn.content !== '' || (!turn.thought && !turn.toolCalls?.length)) response.push(turn.content);
    (turn.toolCalls ?? []).forEach((call, index) => response.push({ type: 'functionCall', name: call.name, params: call.arguments, result: call.result, startsNewChunk: index === 0 }));
    const previous = history.at(-1);
    if (previous?.type === 'model') previous.response.push(...response);
    else history.push({ type: 'model', response });
  }
  return history;
}

/** The tokens the model receives for these turns; after a user turn that includes the opening of the reply. */
export function promptTokens(model: LlamaModel, format: PromptFormat, systemPrompt: string, turns: Turn[], functions?: ChatModelFunctions): Token[] {
  if (format.kind === 'base') return plainTextTokens(model, basePrompt(systemPrompt, turns));
  const history = chatHistory(systemPrompt, turns);
  if (turns.at(-1)?.role !== 'assistant') history.push({ type: 'model', response: [] });
  // Tools are described to the model in its prompt (the template's own way), so they count toward it.
  const { contextText } = format.wrapper.generateContextState({ chatHistory: history, ...(functions ? { availableFunctions: functions, documentFunctionParams: true } : {}) });
  return contextText.tokenize(model.tokenizer);
}

/** Token ids a client sent, checked against the model's vocabulary (VALIDATION naming the first that is not in it). */
export function requireVocabularyTokens(model: LlamaModel, ids: readonly number[]): Token[] {
  const size = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? Number.POSITIVE_INFINITY;
  const outside = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= size);
  if (outside !== undefined) throw new ApiError('VALIDATION', `Token id ${outside} is not in the model's vocabulary (ids 0 to ${size - 1}).`);
  return ids as Token[];
}

/** Plain text as node-llama-cpp feeds it to a model at the start of a context: after its BOS token when it wants one. */
export function plainTextTokens(model: LlamaModel, text: string): Token[] {
  const bos = model.tokens.bos;
  if (bos === null || !model.tokens.shouldPrependBosToken) return model.tokenize(text);
  return [bos, ...model.tokenize(text, false, 'trimLeadingSpace')];
}

export interface FittedPrompt {
  turns: Turn[];
  tokens: Token[];
  droppedTurns: number;
  /** The most the reply may take: max tokens, or less when the context has less room. */
  replyTokens: number;
}

/** The least room a reply needs; a prompt that leaves less counts as full. */
export function replyReserve(settings: GenerationSettings, contextSize: number): number {
  return Math.max(1, Math.min(settings.maxTokens, Math.floor(contextSize / 4)));
}

/**
 * Makes the conversation fit the context by its policy: drop the oldest turns (the system prompt and
 * the latest exchange always stay), or refuse with a clear message. Dropping makes room for the whole
 * reply asked for (max tokens) up to half the context, so a reply is not cut short by "context full"
 * while older turns could have made way; a max tokens beyond that keeps half the context for the talk.
 */
export function fitPrompt(
  model: LlamaModel,
  format: PromptFormat,
  request: { systemPrompt: string; turns: Turn[]; settings: GenerationSettings; promptTokens?: readonly number[] },
  contextSize: number,
  functions?: ChatModelFunctions
): FittedPrompt {
  const reserve = replyReserve(request.settings, contextSize);
  let turns = request.turns;
  let tokens = request.promptTokens ? requireVocabularyTokens(model, request.promptTokens) : promptTokens(model, format, request.systemPrompt, turns, functions);
  let droppedTurns = 0;
  if (request.settings.contextOverflow === 'dropOldest') {
    const latestExchange = turns.at(-1)?.role === 'assistant' ? 2 : 1;
    const wanted = Math.max(reserve, Math.min(request.settings.maxTokens, Math.floor(contextSize / 2)));
    while (tokens.length + wanted > contextSize && turns.length > latestExchange) {
      // Whole exchanges go, so what is left still starts with the user.
      const drop = turns[1]?.role === 'assistant' && turns.length - 2 >= latestExchange ? 2 : 1;
      turns = turns.slice(drop);
      droppedTurns += drop;
      tokens = promptTokens(model, format, request.systemPrompt, turns, functions);
    }
  }
  if (tokens.length + reserve > contextSize) {
    const advice =
      request.settings.contextOverflow === 'stop'
        ? 'Start a new chat, raise the context length, or let Hearth drop the oldest turns.'
        : 'Shorten the message or the system prompt, or raise the context length.';
    throw new ApiError(
      'CONTEXT_FULL',
      `The conversation takes ${tokens.length} tokens and the reply needs ${reserve} more, but the context holds ${contextSize}. ${advice}`,
      undefined,
      { promptTokens: tokens.length, contextSize, reserve }
    );
  }
  return { turns, tokens, droppedTurns, replyTokens: Math.min(request.settings.maxTokens, contextSize - tokens.length) };
}
