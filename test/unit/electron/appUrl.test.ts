import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appOrigin, createAppProtocolHandler } from '../../../src-main/electron/appProtocol';
import { createAppUrlPolicy, rendererUrl } from '../../../src-main/electron/appUrl';
import { contentSecurityPolicy } from '../../../src-main/server';
import { appUrl, devServerUrl } from './fakes';

describe('rendererUrl', () => {
  it("is the app's own hearth://app/ origin, never a file: URL", () => {
    expect(rendererUrl({})).toBe('hearth://app/');
    expect(appOrigin).toBe('hearth://app');
  });

  it('is the dev server while developing', () => {
    expect(rendererUrl({ devServerUrl })).toBe(devServerUrl);
  });
});

describe('createAppUrlPolicy for the built app', () => {
  const isAppUrl = createAppUrlPolicy(appUrl);

  it('admits every page and asset of hearth://app, with any hash or query', () => {
    expect(isAppUrl(appUrl)).toBe(true);
    expect(isAppUrl('hearth://app/index.html#/chat/3')).toBe(true);
    expect(isAppUrl('hearth://app/?view=models')).toBe(true);
    expect(isAppUrl('hearth://app/assets/index.js')).toBe(true);
  });

  it('refuses files, other hosts of the scheme and web pages', () => {
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('file:///opt/Hearth/resources/app.asar/out/renderer/index.html')).toBe(false);
    expect(isAppUrl('hearth://other/')).toBe(false);
    expect(isAppUrl('hearth://app.evil/')).toBe(false);
    expect(isAppUrl('https://app/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });

  it('refuses a file: app URL: no file: privileges are left on', () => {
    expect(() => createAppUrlPolicy('file:///opt/Hearth/out/renderer/index.html')).toThrow(/Not a valid app URL/);
  });
});

describe('createAppUrlPolicy for the dev server', () => {
  const isAppUrl = createAppUrlPolicy(devServerUrl);

  it('admits any page on the same origin', () => {
    expect(isAppUrl('http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.ts')).toBe(true);
  });

  it('refuses another port, host or scheme', () => {
    expect(isAppUrl('http://localhost:5174/')).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/')).toBe(false);
    expect(isAppUrl('https://localhost:5173/')).toBe(false);
    expect(isAppUrl(appUrl)).toBe(false);
  });

  it('rejects an app URL that does not parse', () => {
    expect(() => createAppUrlPolicy('nonsense')).toThrow(/Not a valid app URL/);
  });
});

describe('the hearth:// protocol handler', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-protocol-'));
  mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>Hearth</title>');
  writeFileSync(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'renderer', 'theme.js'), 'console.log(2)');
  writeFileSync(join(root, 'secret.txt'), 'not for the page');
  const handle = createAppProtocolHandler(join(root, 'renderer'));

  it('serves the renderer with the same CSP as browser mode', async () => {
    const page = await handle(new Request('hearth://app/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(await page.text()).toContain('<title>Hearth</title>');
    const script = await handle(new Request('hearth://app/assets/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await script.text()).toBe('console.log(1)');
  });

  it('lets only the hashed assets be cached for good: the page and theme.js keep their names across versions', async () => {
    expect((await handle(new Request('hearth://app/assets/app.js'))).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await handle(new Request('hearth://app/theme.js'))).headers.get('cache-control')).toBe('no-cache');
    expect((await handle(new Request('hearth://app/'))).headers.get('cache-control')).toBe('no-cache');
  });

  it("answers the app's routes with index.html and a missing asset with 404", async () => {
    expect(await (await handle(new Request('hearth://app/chat/3'))).text()).toContain('<title>Hearth</title>');
    expect((await handle(new Request('hearth://app/assets/missing.js'))).status).toBe(404);
  });

  it('never answers a file outside the renderer folder, another host or a write', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const answer = await handle(new Request(`hearth://app${path}`));
      expect(await answer.text()).not.toContain('not for the page');
    }
    expect((await handle(new Request('hearth://elsewhere/index.html'))).status).toBe(404);
    expect((await handle(new Request('hearth://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(404);
  });
});
