import { z } from 'zod';
import { ApiError } from '../../api';
import type { Turn } from '../../app';

/** A message's content: text, or parts; only text parts can be read (see `textOf`). */
const content = z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]);

/** One message of a chat completion request, in any of OpenAI's roles. */
export const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: content.nullish(),
  /** An earlier reply's thought, as clients echo it back: never sent to the model. */
  reasoning_content: z.string().nullish(),
  /** An assistant message's calls, each answered by a later `tool` message with its id. */
  tool_calls: z
    .array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }))
    .nullish(),
  /** A `tool` message: which call this is the result of. */
  tool_call_id: z.string().nullish()
});
type RequestMessage = z.infer<typeof messageSchema>;

/** A message's text; a part Hearth cannot read (an image, audio) is a VALIDATION error that says so. */
export function textOf(value: z.infer<typeof content> | null | undefined): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  return value
    .map((part) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      const what = part.type === 'image_url' ? 'images' : part.type === 'input_audio' ? 'audio' : `"${part.type}" parts`;
      throw new ApiError('VALIDATION', `This model takes no ${what}: Hearth's models read text only.`, [{ path: 'messages', message: `takes no ${what}` }]);
    })
    .join('');
}

/**
 * An earlier reply as the model should see it: without the thought a client left in its text. What
 * precedes the last `</think>` goes, as Qwen3's and DeepSeek-R1's own templates drop it (an R1 reply
 * often lacks the opening `<think>`, which its template put in the prompt).
 */
export function answerOf(reply: string): string {
  const end = reply.lastIndexOf('</think>');
  return end < 0 ? reply : reply.slice(end + '</think>'.length).replace(/^\s+/, '');
}

/** A tool's result as the template shows it: parsed when it is JSON, so it is not quoted as a string. */
function resultOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function invalid(message: string, path = 'messages'): ApiError {
  return new ApiError('VALIDATION', message, [{ path, message }]);
}

/**
 * The conversation a request carries: its system prompt (system and developer messages, joined) and its
 * turns. A `tool` message's result goes with the call of the same id in the assistant message before it;
 * VALIDATION for a result without its call, a call without its result, or arguments that are not JSON.
 */
export function conversationOf(messages: RequestMessage[]): { systemPrompt: string; turns: Turn[] } {
  const system: string[] = [];
  const turns: Turn[] = [];
  const open = new Map<string, { result: unknown }>();
  messages.forEach((message, index) => {
    if (message.role === 'system' || message.role === 'developer') system.push(textOf(message.content));
    else if (message.role === 'user') turns.push({ role: 'user', content: textOf(message.content) });
    else if (message.role === 'assistant') {
      const toolCalls = (message.tool_calls ?? []).map((call) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(call.function.arguments);
        } catch {
          throw invalid(`messages.${index}.tool_calls: the arguments of call ${call.id} are not JSON.`, `messages.${index}.tool_calls`);
        }
        const entry = { name: call.function.name, arguments: parsed, result: undefined as unknown };
        open.set(call.id, entry);
        return entry;
      });
      turns.push({ role: 'assistant', content: answerOf(textOf(message.content)), ...(toolCalls.length ? { toolCalls } : {}) });
    } else {
      const call = message.tool_call_id ? open.get(message.tool_call_id) : undefined;
      if (!call) throw invalid(`messages.${index}: a tool message must answer a tool call of an earlier assistant message (tool_call_id "${message.tool_call_id ?? ''}").`);
      call.result = resultOf(textOf(message.content));
      open.delete(message.tool_call_id!);
    }
  });
  const unanswered = [...open.keys()];
  if (unanswered.length > 0) throw invalid(`Tool call ${unanswered.join(', ')} has no tool message with its result.`);
  return { systemPrompt: system.join('\n\n'), turns };
}
