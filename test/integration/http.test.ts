import { writeFileSync, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from '../../src-main/server';
import { startTestHearth, type TestHearth } from '../helpers/hearth';

/** Raw HTTP, so tests control every header (fetch would set Origin/Host rules of its own). */
function send(url: string, options: { method?: string; path: string; body?: string; headers?: Record<string, string> }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const target = new URL(options.path, url);
    const req = httpRequest(target, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const token = 'a-test-token-of-thirty-two-chars-x';
const auth = { Authorization: `Bearer ${token}` };
const json = { 'Content-Type': 'application/json', ...auth };

describe('browser-mode HTTP binding', () => {
  let t: TestHearth;
  let server: RunningServer;
  let staticDir: string;
  const api = (path: string, body: unknown, headers: Record<string, string> = json) =>
    send(server.url, { path: `/api/${path}`, body: typeof body === 'string' ? body : JSON.stringify(body), headers });

  beforeAll(async () => {
    t = await startTestHearth();
    staticDir = join(t.dataDir, 'renderer');
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Hearth</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(t.dataDir, 'secret.txt'), 'outside the renderer');
    server = await startHttpServer({ router: t.hearth.router, events: t.hearth.events, staticDir, port: 0, token });
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('binds to 127.0.0.1 by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('calls a method with a JSON POST and answers the envelope', async () => {
    const res = await api('conversations.create', { title: 'Over HTTP' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, result: { title: 'Over HTTP' } });
  });

  it('answers bad input with a typed error and keeps serving', async () => {
    const cases: [string, unknown, number, string][] = [
      ['no.such.method', {}, 404, 'UNKNOWN_METHOD'],
      ['conversations.get', { id: 'seven' }, 400, 'VALIDATION'],
      ['conversations.get', { id: 7, extra: true }, 400, 'VALIDATION'],
      ['conversations.get', { id: 999 }, 404, 'NOT_FOUND'],
      ['engine.load', { model: 'missing.gguf' }, 404, 'MODEL_NOT_FOUND'],
      ['engine.load', { model: '../../../../etc/hosts.gguf' }, 403, 'FORBIDDEN'],
      ['conversations.import', { content: '{"format":"nope"}' }, 422, 'IMPORT_INVALID'],
      ['conversations.get', '{broken json', 400, 'VALIDATION']
    ];
    for (const [method, body, status, code] of cases) {
      const res = await api(method, body);
      expect({ method, status: res.status }).toEqual({ method, status });
      const parsed = JSON.parse(res.body);
      expect(parsed).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
      expect(parsed.error.message.length).toBeGreaterThan(5);
    }
    expect((await api('app.info', {})).status).toBe(200);
  });

  it('rejects a text file renamed .gguf as an invalid model', async () => {
    writeFileSync(join(t.modelsDir, 'renamed.gguf'), 'hello, I am text');
    const res = await api('engine.load', { model: 'renamed.gguf' });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/GGUF/) });
  });

  it('requires POST with JSON, refuses oversized bodies, other origins and foreign host names', async () => {
    expect((await send(server.url, { method: 'GET', path: '/api/app.info', headers: auth })).status).toBe(405);
    expect((await api('app.info', '{}', { 'Content-Type': 'text/plain', ...auth })).status).toBe(400);
    const crossSite = await api('app.info', {}, { ...json, Origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const rebinding = await api('app.info', {}, { ...json, Host: 'evil.example' });
    expect(rebinding.status).toBe(421);
    const small = await startHttpServer({ router: t.hearth.router, events: t.hearth.events, staticDir: null, maxBodyBytes: 1024, token });
    try {
      const res = await send(small.url, { path: '/api/history.search', body: JSON.stringify({ query: 'x'.repeat(5000) }), headers: json });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.message).toMatch(/larger than/);
    } finally {
      await small.close();
    }
  });

  it('needs the token everywhere: the API, the event stream and the app files', async () => {
    const refusals = [
      await send(server.url, { path: '/api/conversations.list', body: '{}', headers: { 'Content-Type': 'application/json' } }),
      await send(server.url, { path: '/api/conversations.list', body: '{}', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer wrong-token' } }),
      await send(server.url, { method: 'GET', path: '/api/events' }),
      await send(server.url, { method: 'GET', path: '/' }),
      await send(server.url, { method: 'GET', path: '/assets/app.js' }),
      await send(server.url, { method: 'GET', path: '/?token=wrong' })
    ];
    expect(refusals.map((res) => res.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(refusals[0].body).not.toContain('Over HTTP');
    expect(refusals[3].body).toMatch(/address .*printed/);
    expect((await send(server.url, { method: 'GET', path: '/assets/app.js', headers: auth })).status).toBe(200);
  });

  it('turns ?token= into an HttpOnly, SameSite=Strict cookie and drops it from the address; the cookie then opens everything', async () => {
    const exchange = await send(server.url, { method: 'GET', path: `/chat?token=${token}&view=models` });
    expect(exchange.status).toBe(303);
    expect(exchange.headers.location).toBe('/chat?view=models');
    const cookie = String(exchange.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^hearth_session_${new URL(server.url).port}=[^;]+; HttpOnly; SameSite=Strict; Path=/`));
    const session = cookie.split(';')[0];
    expect((await send(server.url, { method: 'GET', path: '/', headers: { Cookie: session } })).status).toBe(200);
    expect((await send(server.url, { path: '/api/app.info', body: '{}', headers: { 'Content-Type': 'application/json', Cookie: session } })).status).toBe(200);
  });

  it('answers a malformed percent-escape in a method name with 400, not a crash', async () => {
    const res = await send(server.url, { path: '/api/%E0%A4%A', body: '{}', headers: json });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/percent-encoded/) });
  });

  it('refuses to bind beyond loopback without a key the user chose', async () => {
    await expect(startHttpServer({ router: t.hearth.router, events: t.hearth.events, staticDir: null, host: '0.0.0.0', token })).rejects.toThrow(/API key/);
  });

  it('serves the renderer with a strict CSP, never a file outside it', async () => {
    const page = await send(server.url, { method: 'GET', path: '/', headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self'/);
    expect((await send(server.url, { method: 'GET', path: '/assets/app.js', headers: auth })).headers['content-type']).toMatch(/javascript/);
    expect((await send(server.url, { method: 'GET', path: '/assets/missing.js', headers: auth })).status).toBe(404);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await send(server.url, { method: 'GET', path, headers: auth });
      expect(res.body).not.toContain('outside the renderer');
    }
  });

  it('streams events as Server-Sent Events', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = httpRequest(new URL('/api/events', server.url), { method: 'GET', headers: auth }, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('event: conversations.changed')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const conversation = await t.call('conversations.create', { title: 'Streamed' });
    t.hearth.events.emit('conversations.changed', { conversation });
    expect(await received).toContain(`event: conversations.changed\ndata: ${JSON.stringify({ conversation })}\n\n`);
  });
});
