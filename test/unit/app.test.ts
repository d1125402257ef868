import { describe, expect, it, vi } from 'vitest';
import { snippetMarkEnd, snippetMarkStart, type Message } from '../../src-main/api';
import { continuedTurn, titleFrom, turnsOf } from '../../src-main/app/chat';
import { deltaIntervalMs, ReplyStream } from '../../src-main/app/replyStream';
import { keepServingOnUnexpectedErrors } from '../../src-main/app/lastResort';
import { resolvePaths, platformAppDataDir } from '../../src-main/paths';
import { snippetOf, toFtsQuery, toTrigramQuery } from '../../src-main/history/search';
import { describeFailedStart, missingDisplayReason } from '../../src-main/electron/startup';

const message = (role: Message['role'], content: string, status: Message['status'] = 'complete'): Message => ({
  id: 1,
  conversationId: 1,
  role,
  content,
  thought: '',
  status,
  error: null,
  createdAt: 0,
  updatedAt: 0,
  metrics: null,
  parentId: null,
  siblingIds: [1]
});

describe('conversation helpers', () => {
  it('titles a conversation from its first message on one line', () => {
    expect(titleFrom('  Hello\n  there  ')).toBe('Hello there');
    const long = titleFrom('word '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('…')).toBe(true);
  });

  it('builds the turns from what was said, leaving out failed and empty replies', () => {
    expect(
      turnsOf([message('user', 'a'), message('assistant', 'broken', 'error'), message('assistant', ''), message('assistant', 'partial', 'interrupted'), message('user', 'b')])
    ).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'partial' },
      { role: 'user', content: 'b' }
    ]);
  });

  it('never sends an earlier reply’s thought back; a reply being continued carries its own, open when it has no answer yet', () => {
    const thought = (content: string, text: string) => ({ ...message('assistant', content), thought: text });
    expect(turnsOf([message('user', 'a'), thought('Yes.', 'Hmm.')])).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'Yes.' }
    ]);
    expect(continuedTurn(thought('', 'Hmm, so'))).toEqual({ role: 'assistant', content: '', thought: { text: 'Hmm, so', ended: false } });
    expect(continuedTurn(thought('Yes', 'Hmm.'))).toEqual({ role: 'assistant', content: 'Yes', thought: { text: 'Hmm.', ended: true } });
    expect(continuedTurn(message('assistant', 'Once'))).toEqual({ role: 'assistant', content: 'Once' });
  });
});

describe('a streaming reply’s deltas', () => {
  it('go out in batches of one segment each: the first answer text is never merged into the thought', () => {
    vi.useFakeTimers();
    const sent: [string, string, number][] = [];
    const stream = new ReplyStream({ content: '', thought: '' }, { send: (delta, tokens, segment) => sent.push([segment, delta, tokens]), write: () => undefined, giveUp: () => undefined });
    stream.append('Hmm', 1, 'thought');
    stream.append(', so', 2, 'thought');
    stream.append(' yes.', 3, 'thought');
    stream.append('Yes', 5, 'answer');
    stream.append('!', 6, 'answer');
    vi.advanceTimersByTime(deltaIntervalMs);
    stream.close();
    vi.useRealTimers();
    expect(sent).toEqual([
      ['thought', 'Hmm', 1],
      ['thought', ', so yes.', 3],
      ['answer', 'Yes!', 6]
    ]);
    expect(stream.text).toEqual({ thought: 'Hmm, so yes.', content: 'Yes!' });
  });
});

describe('paths', () => {
  it('prefers flags, then environment variables, then the platform folder', () => {
    expect(resolvePaths({ dataDir: '/flag' }, { HEARTH_DATA_DIR: '/env' }, 'linux')).toEqual({
      dataDir: '/flag',
      modelsDir: '/flag/models',
      databaseFile: '/flag/history.sqlite'
    });
    expect(resolvePaths({}, { HEARTH_DATA_DIR: '/env', HEARTH_MODELS_DIR: '/models' }, 'linux').modelsDir).toBe('/models');
    expect(resolvePaths({}, { XDG_CONFIG_HOME: '/xdg' }, 'linux').dataDir).toBe('/xdg/Hearth');
  });

  it('knows each platform’s per-user app data folder', () => {
    expect(platformAppDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' })).toBe('C:\\Users\\a\\AppData\\Roaming');
    expect(platformAppDataDir('darwin', {})).toMatch(/Library\/Application Support$/);
    expect(platformAppDataDir('linux', {})).toMatch(/\.config$/);
  });
});

describe('search queries', () => {
  it('quotes each word as a prefix term so FTS syntax in the input cannot break the query', () => {
    expect(toFtsQuery('little girl')).toBe('"little"* "girl"*');
    expect(toFtsQuery('NEAR(a "b") OR c*')).toBe('"NEAR"* "a"* "b"* "OR"* "c"*');
    expect(toFtsQuery('  ?! ')).toBeNull();
    expect(toFtsQuery('café')).toBe('"café"*');
  });

  it('leaves text without CJK or Thai to the word index', () => {
    expect(toTrigramQuery('little girl')).toBeNull();
    expect(toTrigramQuery('café NEAR(a)')).toBeNull();
  });

  it('looks for runs of scripts written without spaces as substrings: trigram phrases from three characters, scanned below', () => {
    expect(toTrigramQuery('私は東京に住んでいます')).toEqual({ match: '"私は東京に住んでいます"', scanned: [] });
    expect(toTrigramQuery('東京')).toEqual({ match: null, scanned: ['東京'] });
    expect(toTrigramQuery('京')).toEqual({ match: null, scanned: ['京'] });
    expect(toTrigramQuery('東京、住んで。')).toEqual({ match: '"住んで"', scanned: ['東京'] });
    expect(toTrigramQuery('我住在北京市中心')).toEqual({ match: '"我住在北京市中心"', scanned: [] });
    expect(toTrigramQuery('北京')).toEqual({ match: null, scanned: ['北京'] });
    expect(toTrigramQuery('저는 서울에 살아요')).toEqual({ match: '"서울에" "살아요"', scanned: ['저는'] });
    expect(toTrigramQuery('서울')).toEqual({ match: null, scanned: ['서울'] });
    expect(toTrigramQuery('ที่กรุงเทพ')).toEqual({ match: '"ที่กรุงเทพ"', scanned: [] });
  });

  it('splits mixed-script text where the script changes, and keeps every part', () => {
    expect(toTrigramQuery('Tokyo 東京')).toEqual({ match: '"Tokyo"', scanned: ['東京'] });
    expect(toTrigramQuery('GPT-4の性能')).toEqual({ match: '"GPT" "の性能"', scanned: ['4'] });
    expect(toTrigramQuery('Qwen3で"翻訳" OR x')).toEqual({ match: '"Qwen3"', scanned: ['で', '翻訳', 'OR', 'x'] });
  });
});

describe('desktop launcher', () => {
  it('falls back to browser mode on Linux without a display', () => {
    expect(missingDisplayReason('linux', {})).toMatch(/no display/);
    expect(missingDisplayReason('linux', { DISPLAY: ':0' })).toBeNull();
    expect(missingDisplayReason('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeNull();
    expect(missingDisplayReason('darwin', {})).toBeNull();
  });

  it('puts a failed Electron start into one line: how it ended, the known cause, its last words', () => {
    expect(describeFailedStart({ code: null, signal: 'SIGTRAP', stderrTail: ['x', 'No usable sandbox! Update your kernel', ''] })).toBe(
      "Electron was killed by SIGTRAP (signal 5) before its window opened; Chromium's sandbox cannot start: this system (Ubuntu 23.10+ with AppArmor, or a container) forbids the user namespaces an unpackaged Electron needs. The .deb package sets this up; running from source, see README → Develop; Electron said: \"No usable sandbox! Update your kernel\""
    );
    expect(describeFailedStart({ code: 1, signal: null, stderrTail: ['Missing X server or $DISPLAY'] })).toMatch(/^Electron exited with code 1 before its window opened; no display could be opened;/);
    expect(describeFailedStart({ code: 3, signal: null, stderrTail: [] })).toBe('Electron exited with code 3 before its window opened');
  });
});

describe('search snippets', () => {
  it('marks prefix matches, ignoring case and accents, around the first one', () => {
    const snippet = snippetOf('Once upon a time the Café owner met a unicorn and two more Unicorns.', ['unic', 'cafe']);
    expect(snippet).toContain(`${snippetMarkStart}Café${snippetMarkEnd}`);
    expect(snippet).toContain(`${snippetMarkStart}unicorn${snippetMarkEnd}`);
    expect(snippet).toContain(`${snippetMarkStart}Unicorns${snippetMarkEnd}`);
    const long = snippetOf(`${'word '.repeat(50)}needle ${'word '.repeat(50)}`, ['needle']);
    expect(long.startsWith('…')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
    expect(long.split(' ').length).toBeLessThan(20);
  });

  it('marks CJK and Latin substrings anywhere in a run of CJK text', () => {
    expect(snippetOf('私は東京に住んでいます', ['東京'], 'substring')).toBe(`私は${snippetMarkStart}東京${snippetMarkEnd}に住んでいます`);
    expect(snippetOf('新しいGPUを買った', ['gpu', 'を'], 'substring')).toBe(`新しい${snippetMarkStart}GPU${snippetMarkEnd}${snippetMarkStart}を${snippetMarkEnd}買った`);
    expect(snippetOf('저는 서울에 살아요', ['서울'], 'substring')).toBe(`저는 ${snippetMarkStart}서울${snippetMarkEnd}에 살아요`);
    expect(snippetOf('A Café in 東京', ['cafe', '東京'], 'substring')).toBe(`A ${snippetMarkStart}Café${snippetMarkEnd} in ${snippetMarkStart}東京${snippetMarkEnd}`);
  });

  it('keeps a snippet of CJK text short, about two characters to a word', () => {
    const snippet = snippetOf(`${'あ'.repeat(100)}東京${'い'.repeat(100)}`, ['東京'], 'substring');
    expect(snippet).toBe(`…${'あ'.repeat(8)}${snippetMarkStart}東京${snippetMarkEnd}${'い'.repeat(22)}…`);
  });
});

describe('the last line of defence for background work', () => {
  it('logs an unhandled rejection and an uncaught exception with their context, tells the user of the exception, and keeps the process', () => {
    const told: string[] = [];
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    const listenersBefore = process.listenerCount('uncaughtException');
    const remove = keepServingOnUnexpectedErrors((message) => told.push(message));
    try {
      process.emit('unhandledRejection', new Error('a flush failed'), Promise.resolve());
      (process.emit as (event: string, ...args: unknown[]) => boolean)('uncaughtException', new Error('a timer threw'), 'uncaughtException');
    } finally {
      remove();
      console.error = original;
    }
    expect(logged.map((args) => String(args[0]))).toEqual([expect.stringMatching(/background task failed/), expect.stringMatching(/unexpected error \(uncaughtException\)/)]);
    expect(logged[0][1]).toMatchObject({ message: 'a flush failed' });
    expect(told).toEqual([expect.stringMatching(/kept running: a timer threw/)]);
    expect(process.listenerCount('uncaughtException')).toBe(listenersBefore);
  });
});
