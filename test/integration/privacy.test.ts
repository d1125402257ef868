import dns from 'node:dns';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggableUrl } from '../../src-main/network';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { startFileServer, type FileServer } from '../helpers/file-server';
import { stories260K } from '../helpers/paths';

/** Records every connection and name look-up this process makes that does not stay on this machine. */
function outboundGuard() {
  const attempts: string[] = [];
  const loopback = (host: string | undefined) => !host || host === 'localhost' || host === '::1' || /^127\./.test(host);
  const originalConnect = net.Socket.prototype.connect;
  const originalLookup = dns.lookup;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const options = args[0];
    const host = typeof options === 'object' && options !== null && !Array.isArray(options) ? (options as net.TcpNetConnectOpts).host : typeof args[1] === 'string' ? args[1] : undefined;
    const path = typeof options === 'object' && options !== null ? (options as net.IpcNetConnectOpts).path : undefined;
    if (!path && !loopback(host)) attempts.push(`connect ${host}`);
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  (dns as { lookup: unknown }).lookup = ((hostname: string, ...rest: unknown[]) => {
    if (!loopback(hostname)) attempts.push(`lookup ${hostname}`);
    return (originalLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
  }) as typeof dns.lookup;
  return {
    attempts,
    restore() {
      net.Socket.prototype.connect = originalConnect;
      (dns as { lookup: unknown }).lookup = originalLookup;
    }
  };
}

describe('privacy: no outbound connection the user did not start', () => {
  let t: TestHearth;
  let files: FileServer;
  const guard = outboundGuard();
  beforeAll(async () => {
    t = await startTestHearth();
    files = await startFileServer({ 'files/stories.gguf': readFileSync(stories260K) });
  });
  afterAll(async () => {
    guard.restore();
    await files.close();
    await t.close();
  });

  it('runs a whole chat session without touching the network', async () => {
    const conversation = await t.call('conversations.create', { model: 'stories260K.gguf', settings: { temperature: 0, maxTokens: 24 } });
    const ended = t.nextEvent('chat.end');
    const sent = await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await ended;
    const again = t.nextEvent('chat.end');
    await t.call('chat.regenerate', { conversationId: conversation.id, messageId: sent.assistantMessage.id });
    await again;
    await t.call('chat.context', { conversationId: conversation.id });
    await t.call('history.search', { query: 'Lily' });
    await t.call('conversations.export', { id: conversation.id, format: 'json' });
    await t.call('hardware.probe', { refresh: true });
    await t.call('catalog.recommend', {});
    await t.call('inspect.nextTokens', { prompt: 'Once upon a time' });
    await t.call('dashboard.replies', {});
    await t.call('telemetry.watch', { seconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(guard.attempts).toEqual([]);
    expect(await t.call('network.log')).toEqual([]);
  });

  it('logs the requests a download makes, without query strings', async () => {
    const ended = new Promise<void>((resolve) => t.hearth.events.subscribe((event) => event.name === 'downloads.changed' && event.payload.status === 'completed' && resolve()));
    await t.call('downloads.start', { source: `${files.url}/files/stories.gguf?token=secret` });
    await ended;
    const log = await t.call('network.log');
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((record) => record.purpose === 'download' && !record.blocked)).toBe(true);
    expect(log.some((record) => record.status === 200 || record.status === 206)).toBe(true);
    expect(log.every((record) => !record.url.includes('secret'))).toBe(true);
  });

  it('blocks every outbound request while offline, before any connection is attempted', async () => {
    await t.call('settings.setNetwork', { offline: true });
    try {
      const before = guard.attempts.length;
      for (const source of ['hf:someone/some-model-GGUF/model-Q4_K_M.gguf', 'https://example.com/model.gguf']) {
        const refused = await t.raw('downloads.start', { source });
        expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/offline/) } });
      }
      expect(await t.raw('downloads.inspect', { source: 'https://example.com/model.gguf' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(guard.attempts.length).toBe(before);
      const [latest] = await t.call('network.log');
      expect(latest).toMatchObject({ blocked: true, url: 'https://example.com/model.gguf' });
    } finally {
      await t.call('settings.setNetwork', { offline: false });
    }
  });
});

describe('what the network log keeps of a URL', () => {
  it('drops credentials and query strings', () => {
    expect(loggableUrl('https://user:pass@huggingface.co/a/b.gguf?download=true&token=x')).toBe('https://huggingface.co/a/b.gguf?…');
    expect(loggableUrl('not a url')).toBe('(not a URL)');
  });
});
