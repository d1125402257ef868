import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultApiServerSettings, type OutboundRecord, type RemoteEngine } from '../../src-main/api';
import {
  apiServerForm,
  curlExample,
  describeApiServerIssue,
  keyStorageText,
  mergeOutbound,
  modelLabel,
  originLines,
  outboundLogCapacity,
  outboundResult,
  readApiServerForm,
  remoteModelGroups,
  replySourceText
} from '../../src-renderer/src/lib/networking';

function record(id: number, overrides: Partial<OutboundRecord> = {}): OutboundRecord {
  return { id, at: 1_700_000_000_000 + id, purpose: 'download', method: 'GET', url: `https://example.com/${id}`, status: null, error: null, blocked: false, ...overrides };
}

function engine(id: number, overrides: Partial<RemoteEngine> = {}): RemoteEngine {
  return { id, name: `Engine ${id}`, baseUrl: `http://box-${id}:8000/v1`, hasKey: false, keyStorage: null, models: [], error: null, ...overrides };
}

describe('the API server form', () => {
  it('round-trips the settings, origins one per line', () => {
    const settings = { ...defaultApiServerSettings, allowedOrigins: ['http://localhost:3000', 'https://app.example'] };
    const form = apiServerForm(settings);
    expect(form.allowedOrigins).toBe('http://localhost:3000\nhttps://app.example');
    const { enabled: _enabled, ...fields } = settings;
    expect(readApiServerForm(form)).toEqual({ settings: fields });
  });

  it('ignores blank lines and spaces around origins', () => {
    expect(originLines('  http://a.test \n\n\thttps://b.test\n  ')).toEqual(['http://a.test', 'https://b.test']);
    expect(originLines('')).toEqual([]);
  });

  it('names the field of each problem, and the line of a bad origin', () => {
    const form = { ...apiServerForm(defaultApiServerSettings), port: null, allowedOrigins: 'http://ok.test\nnot a url' };
    const read = readApiServerForm(form);
    expect('problems' in read && read.problems).toEqual([expect.stringMatching(/^Port: /), expect.stringMatching(/^Allowed origin 2: /)]);
    expect(readApiServerForm({ ...apiServerForm(defaultApiServerSettings), port: 70_000 })).toEqual({ problems: [expect.stringMatching(/^Port: /)] });
    expect(readApiServerForm({ ...apiServerForm(defaultApiServerSettings), queueLimit: null })).toEqual({ problems: [expect.stringMatching(/^Requests that may wait: /)] });
  });

  it("describes the server's issues, whose paths start with settings.", () => {
    expect(describeApiServerIssue({ path: 'settings.maxTokensCap', message: 'Too big' })).toBe('Max tokens per request: Too big');
    expect(describeApiServerIssue({ path: 'settings.allowedOrigins.0', message: 'Invalid URL' })).toBe('Allowed origin 1: Invalid URL');
    expect(describeApiServerIssue({ path: 'apiKey', message: 'Too short' })).toBe('API key: Too short');
  });
});

describe('the curl example', () => {
  it('is one line that posts a chat to the running URL', () => {
    const line = curlExample('http://127.0.0.1:1234/v1', 'stories260K.gguf', false);
    expect(line).not.toContain('\n');
    expect(line).toBe(
      `curl http://127.0.0.1:1234/v1/chat/completions -H 'Content-Type: application/json' -d '{"model":"stories260K.gguf","messages":[{"role":"user","content":"Hello"}]}'`
    );
  });

  it('sends a key placeholder when a key is set', () => {
    expect(curlExample('http://127.0.0.1:1234/v1', 'm', true)).toContain(`-H 'Authorization: Bearer YOUR_KEY'`);
  });

  it('quotes a model name with a quote in it so that the shell reads the body back unchanged', () => {
    const line = curlExample('http://127.0.0.1:1234/v1', "it's.gguf", false);
    // A stand-in curl that prints the words the shell gave it.
    const words = execFileSync('sh', ['-c', `curl() { for word in "$@"; do printf '%s\\0' "$word"; done; }; ${line}`]).toString().split('\0');
    expect(JSON.parse(words[words.indexOf('-d') + 1])).toEqual({ model: "it's.gguf", messages: [{ role: 'user', content: 'Hello' }] });
  });
});

describe('the outbound log', () => {
  it('adds new requests newest first and replaces one by id when its answer arrives', () => {
    let log = mergeOutbound([], [record(1)]);
    log = mergeOutbound(log, [record(2)]);
    log = mergeOutbound(log, [record(1, { status: 200 })]);
    expect(log.map((item) => [item.id, item.status])).toEqual([
      [2, null],
      [1, 200]
    ]);
  });

  it('never lets a stale "made" replace an answer (the log read at open can cross an event)', () => {
    const answered = [record(3, { status: 404 }), record(2, { error: 'ECONNREFUSED' })];
    expect(mergeOutbound(answered, [record(3), record(2)])).toEqual(answered);
  });

  it('keeps as many records as the server does', () => {
    const many = Array.from({ length: outboundLogCapacity + 5 }, (_, index) => record(index + 1));
    const log = mergeOutbound([], many);
    expect(log).toHaveLength(outboundLogCapacity);
    expect(log[0].id).toBe(outboundLogCapacity + 5);
  });

  it('says what became of a request', () => {
    expect(outboundResult(record(1, { blocked: true, error: 'blocked: Hearth is offline' }))).toBe('blocked');
    expect(outboundResult(record(1, { error: 'getaddrinfo ENOTFOUND' }))).toBe('getaddrinfo ENOTFOUND');
    expect(outboundResult(record(1, { status: 206 }))).toBe('206');
    expect(outboundResult(record(1, { status: 200, note: 'the file changed on the server' }))).toBe('200: the file changed on the server');
    expect(outboundResult(record(1))).toBe('waiting…');
  });
});

describe('remote engines in the model picker', () => {
  it('offers one group per engine that listed models, named "model — engine"', () => {
    const groups = remoteModelGroups([engine(1, { name: 'Loopback', models: ['stories260K.gguf', 'llama3'] }), engine(2)]);
    expect(groups).toEqual([
      {
        engineId: 1,
        label: 'Loopback',
        options: [
          { value: 'remote:1/stories260K.gguf', label: 'stories260K.gguf — Loopback' },
          { value: 'remote:1/llama3', label: 'llama3 — Loopback' }
        ]
      }
    ]);
  });

  it("names a conversation's model as the picker does, local or remote", () => {
    const engines = [engine(4, { name: 'GPU box' })];
    expect(modelLabel('stories260K.gguf', engines)).toBe('stories260K.gguf');
    expect(modelLabel('remote:4/qwen', engines)).toBe('qwen — GPU box');
    expect(modelLabel('remote:9/qwen', engines)).toBe('qwen — a removed engine');
  });

  it('says where replies come from: this machine, or the remote engine (never "locally" for a remote chat)', () => {
    const engines = [engine(4, { name: 'GPU box' })];
    expect(replySourceText('stories260K.gguf', engines)).toBe('replies run locally');
    expect(replySourceText(null, engines)).toBe('replies run locally');
    expect(replySourceText('remote:4/qwen', engines)).toBe('replies come from GPU box, over the network');
  });

  it('says where a key is kept', () => {
    expect(keyStorageText(engine(1))).toBe('No key');
    expect(keyStorageText(engine(1, { hasKey: true, keyStorage: 'memory' }))).toBe('Key kept in memory (until Hearth quits)');
    expect(keyStorageText(engine(1, { hasKey: true, keyStorage: 'secure storage' }))).toBe("Key kept in your system's keychain");
  });
});
