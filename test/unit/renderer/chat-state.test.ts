import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message, ReplySegment } from '$api/contract';
import { ApiClientError } from '../../../src-renderer/src/lib/api';
import { Announcer } from '../../../src-renderer/src/lib/announcer.svelte';
import { ChatState } from '../../../src-renderer/src/lib/chat.svelte';
import { ConversationsState } from '../../../src-renderer/src/lib/conversations.svelte';
import { EngineState } from '../../../src-renderer/src/lib/engine.svelte';
import { ErrorState } from '../../../src-renderer/src/lib/errors.svelte';
import { deltaIntervalMs } from '../../../src-main/app/replyStream';
import { conversation, FakeApi, message } from './fakes';

/** How long chat.svelte.ts gathers deltas before it shows them. */
const flushMs = 50;

function setup() {
  const api = new FakeApi();
  const errors = new ErrorState();
  const conversations = new ConversationsState(api, errors);
  const chat = new ChatState(api, conversations, new EngineState(api, errors), errors, new Announcer());
  return { api, errors, conversations, chat };
}

type Setup = ReturnType<typeof setup>;

/** Opens conversation 7 with these messages on show. */
async function openWith({ api, chat }: Setup, messages: Message[]): Promise<void> {
  const opened = chat.open(7);
  await api.last('conversations.get').answer({ conversation: conversation(), messages });
  expect(await opened).toBe(true);
}

const user = (id: number, content: string, parentId: number | null = null) => message(id, { role: 'user', content, parentId });
const reply = (id: number, overrides: Partial<Message> = {}) => message(id, { parentId: id - 1, ...overrides });
const delta = (messageId: number, text: string, segment: ReplySegment = 'answer', outputTokens = 1) => ({ conversationId: 7, messageId, segment, delta: text, outputTokens });
const shown = (chat: ChatState) => chat.messages.map(({ id, role, content, status }) => ({ id, role, content, status }));

beforeEach(() => {
  vi.useFakeTimers();
  // Failed calls are reported to the banner, which also logs them.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('sending a message', () => {
  it('shows the message at once under a local (negative) id, then under the id the server gave it', async () => {
    const state = setup();
    const { api, chat, conversations } = state;
    chat.newDraft();
    chat.draft.model = 'tiny.gguf';

    const sent = chat.send('  Hello  ');
    expect(shown(chat)).toEqual([{ id: expect.any(Number), role: 'user', content: 'Hello', status: 'complete' }]);
    const localId = chat.messages[0].id;
    expect(localId).toBeLessThan(0);
    expect(chat.generating).toBe(true);

    await api.last('conversations.create').answer(conversation());
    expect(chat.conversation?.id).toBe(7);
    expect(conversations.find(7)).toBeDefined();
    expect(api.last('chat.send').input).toEqual({ conversationId: 7, content: 'Hello' });

    await api.last('chat.send').answer({ userMessage: user(11, 'Hello'), assistantMessage: reply(12, { status: 'streaming' }) });
    expect(await sent).toBe(true);
    expect(shown(chat)).toEqual([
      { id: 11, role: 'user', content: 'Hello', status: 'complete' },
      { id: 12, role: 'assistant', content: '', status: 'streaming' }
    ]);
    expect(chat.messages.some((m) => m.id === localId)).toBe(false);
    expect(chat.generating).toBe(true);
  });

  it('shows deltas that arrive before chat.send answers, and neither loses nor repeats their text when it does', async () => {
    const state = setup();
    const { api, chat } = state;
    await openWith(state, []);
    const sent = chat.send('Tell a story');

    chat.onDelta(delta(12, 'Once'));
    chat.onDelta(delta(12, ' upon'));
    vi.advanceTimersByTime(flushMs);
    expect(chat.messages.find((m) => m.id === 12)).toMatchObject({ role: 'assistant', content: 'Once upon', status: 'streaming' });

    // The answer was made before those deltas: its copy of the reply has less text than the screen.
    await api.last('chat.send').answer({ userMessage: user(11, 'Tell a story'), assistantMessage: reply(12, { content: 'Once', status: 'streaming' }) });
    expect(await sent).toBe(true);
    chat.onDelta(delta(12, ' a time'));
    vi.advanceTimersByTime(flushMs);
    expect(shown(chat)).toEqual([
      { id: 11, role: 'user', content: 'Tell a story', status: 'complete' },
      { id: 12, role: 'assistant', content: 'Once upon a time', status: 'streaming' }
    ]);
  });

  it('shows each delta the server sends before the next one comes: a faster pace would only cost events', async () => {
    const state = setup();
    await openWith(state, [user(11, 'Tell a story'), reply(12, { content: '', status: 'streaming' })]);
    const words = ['Once', ' upon', ' a', ' time', ' there', ' was'];
    words.forEach((word, i) => {
      state.chat.onDelta(delta(12, word, 'answer', i + 1));
      vi.advanceTimersByTime(deltaIntervalMs);
      expect(state.chat.messages.find((m) => m.id === 12)?.content).toBe(words.slice(0, i + 1).join(''));
    });
  });

  it('keeps a chat.end that arrives before chat.send answers: the reply stays finished', async () => {
    const state = setup();
    const { api, chat } = state;
    await openWith(state, []);
    const sent = chat.send('Hi');

    chat.onEnd({ conversationId: 7, message: reply(12, { content: 'Hello there.', status: 'complete' }) });
    await api.last('chat.send').answer({ userMessage: user(11, 'Hi'), assistantMessage: reply(12, { status: 'streaming' }) });
    expect(await sent).toBe(true);

    expect(shown(chat)).toEqual([
      { id: 11, role: 'user', content: 'Hi', status: 'complete' },
      { id: 12, role: 'assistant', content: 'Hello there.', status: 'complete' }
    ]);
    expect(chat.generating).toBe(false);
  });

  it('sends a Stop pressed before the reply exists once chat.send has answered', async () => {
    const state = setup();
    const { api, chat } = state;
    chat.newDraft();
    chat.draft.model = 'tiny.gguf';
    const sent = chat.send('Hi');

    // Not even the conversation exists yet: there is nothing to name in a chat.stop.
    await chat.stop();
    expect(api.callsOf('chat.stop')).toEqual([]);
    await api.last('conversations.create').answer(conversation());
    expect(api.callsOf('chat.stop')).toEqual([]);

    await api.last('chat.send').answer({ userMessage: user(11, 'Hi'), assistantMessage: reply(12, { status: 'streaming' }) });
    expect(await sent).toBe(true);
    expect(api.callsOf('chat.stop').map((call) => call.input)).toEqual([{ conversationId: 7 }]);
  });

  it('turns a chat made for a first message that could not be sent back into a draft, and deletes it', async () => {
    const state = setup();
    const { api, chat, conversations, errors } = state;
    chat.newDraft();
    chat.draft.model = 'tiny.gguf';
    const sent = chat.send('Hi');
    await api.last('conversations.create').answer(conversation());
    expect(conversations.find(7)).toBeDefined();

    await api.last('chat.send').fail(new ApiClientError('NO_MODEL', 'No model is loaded.'));
    expect(conversations.find(7)).toBeUndefined();
    expect(chat.conversation).toBeNull();
    expect(chat.messages).toEqual([]);
    expect(api.last('conversations.delete').input).toEqual({ id: 7 });
    expect(errors.items.map(({ context, message }) => ({ context, message }))).toEqual([{ context: 'Could not send the message', message: 'No model is loaded.' }]);

    await api.last('conversations.delete').answer({ id: 7 });
    expect(await sent).toBe(false);
    expect(chat.generating).toBe(false);
  });

  it('keeps a conversation that already existed when a send fails', async () => {
    const state = setup();
    const { api, chat, conversations } = state;
    await openWith(state, [user(1, 'Hi'), reply(2, { content: 'Hello.' })]);
    const sent = chat.send('Again');

    await api.last('chat.send').fail(new ApiClientError('BUSY', 'Busy.'));
    expect(api.callsOf('conversations.delete')).toEqual([]);
    expect(chat.conversation?.id).toBe(7);
    expect(conversations.find(7)).toBeDefined();
    expect(await sent).toBe(false);
    expect(shown(chat).map((m) => m.id)).toEqual([1, 2]);
  });
});

describe('regenerating and continuing', () => {
  const story = () => [user(11, 'Tell a story'), reply(12, { content: 'Once.', siblingIds: [12] })];

  it('shows a regenerated reply in place of the one it replaces, with the deltas that beat the answer', async () => {
    const state = setup();
    const { api, chat } = state;
    await openWith(state, story());
    const started = chat.regenerate(12);
    expect(chat.generating).toBe(true);

    chat.onDelta(delta(13, 'Long ago'));
    vi.advanceTimersByTime(flushMs);
    await api.last('chat.regenerate').answer({ assistantMessage: reply(13, { parentId: 11, status: 'streaming', siblingIds: [12, 13] }) });
    expect(await started).toBe(true);

    expect(shown(chat)).toEqual([
      { id: 11, role: 'user', content: 'Tell a story', status: 'complete' },
      { id: 13, role: 'assistant', content: 'Long ago', status: 'streaming' }
    ]);
    expect(chat.messages[1].siblingIds).toEqual([12, 13]);
  });

  it('shows an edited message and its reply from the edited one on, the messages before it kept', async () => {
    const state = setup();
    const { api, chat } = state;
    await openWith(state, [...story(), user(13, 'Shorter', 12), reply(14, { content: 'Ok.' })]);
    const started = chat.edit(13, 'Even shorter');

    await api.last('chat.edit').answer({ userMessage: user(15, 'Even shorter', 12), assistantMessage: reply(16, { status: 'streaming' }) });
    expect(await started).toBe(true);
    expect(shown(chat).map((m) => m.id)).toEqual([11, 12, 15, 16]);
  });

  it('carries on a reply in the same place, appending the new text to what it had', async () => {
    const state = setup();
    const { api, chat } = state;
    await openWith(state, [...story(), user(13, 'More'), reply(14, { content: 'And then', status: 'interrupted' })]);
    const started = chat.continueReply(14);
    expect(chat.messages[3].status).toBe('streaming');

    chat.onDelta(delta(14, ' it rained.'));
    vi.advanceTimersByTime(flushMs);
    await api.last('chat.continue').answer({ assistantMessage: reply(14, { content: 'And then', status: 'streaming' }) });
    expect(await started).toBe(true);

    expect(shown(chat).map((m) => m.id)).toEqual([11, 12, 13, 14]);
    expect(chat.messages[3]).toMatchObject({ content: 'And then it rained.', status: 'streaming' });
  });

  it('puts a reply that could not be continued back as it was', async () => {
    const state = setup();
    const { api, chat } = state;
    await openWith(state, story());
    const started = chat.continueReply(12);

    await api.last('chat.continue').fail(new ApiClientError('NO_MODEL', 'No model is loaded.'));
    expect(await started).toBe(false);
    expect(chat.messages[1]).toMatchObject({ id: 12, content: 'Once.', status: 'complete' });
    expect(chat.generating).toBe(false);
  });

  it('streams a reply’s thinking apart from its answer, says "Thinking…" once, and times the thought by the page’s clock', async () => {
    const announcer = new Announcer();
    const api = new FakeApi();
    const errors = new ErrorState();
    const chat = new ChatState(api, new ConversationsState(api, errors), new EngineState(api, errors), errors, announcer);
    const opened = chat.open(7);
    await api.last('conversations.get').answer({ conversation: conversation(), messages: [user(11, 'Why?'), reply(12, { status: 'streaming' })] });
    expect(await opened).toBe(true);

    chat.onDelta(delta(12, 'Okay,', 'thought', 2));
    vi.advanceTimersByTime(flushMs);
    expect(announcer.text).toBe('Thinking…');
    vi.advanceTimersByTime(1_000);
    chat.onDelta(delta(12, ' the user asks.', 'thought', 5));
    vi.advanceTimersByTime(flushMs);
    expect(chat.messages[1]).toMatchObject({ thought: 'Okay, the user asks.', content: '' });
    expect(chat.liveThinking(12)).toMatchObject({ endedAt: null, tokens: 5 });
    expect(announcer.text).toBe('Thinking…');

    vi.advanceTimersByTime(2_000);
    chat.onDelta(delta(12, 'Because.', 'answer', 7));
    vi.advanceTimersByTime(flushMs);
    expect(chat.messages[1]).toMatchObject({ thought: 'Okay, the user asks.', content: 'Because.' });
    const live = chat.liveThinking(12)!;
    expect(live.endedAt! - live.startedAt).toBe(1_000 + 2 * flushMs + 2_000);
    vi.advanceTimersByTime(1_500);
    // The answer is announced; the thought never is.
    expect(announcer.text).toBe('Because.');

    chat.onEnd({ conversationId: 7, message: reply(12, { content: 'Because.', thought: 'Okay, the user asks.', status: 'complete' }) });
    expect(chat.liveThinking(12)).toBeUndefined();
  });
});
