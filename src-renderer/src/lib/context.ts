import type { ContextReport } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';

export type ContextReading =
  | { kind: 'report'; report: ContextReport }
  /** The conversation's model is not loaded: nothing to count with yet, which is not an error. */
  | { kind: 'noModel' }
  | { kind: 'failed'; message: string };

/** The conversation's prompt on the loaded model (with `draft` as the next user message, when given). */
export async function readContext(api: HearthApi, conversationId: number, draft?: string): Promise<ContextReading> {
  try {
    return { kind: 'report', report: await api.call('chat.context', { conversationId, draft: draft || undefined }) };
  } catch (error) {
    const failure = ApiClientError.from(error);
    return failure.code === 'NO_MODEL' ? { kind: 'noModel' } : { kind: 'failed', message: failure.message };
  }
}
