import { describe, expect, it } from 'vitest';
import { createAppUrlPolicy, rendererUrl } from '../../../src-main/electron/appUrl';
import { appIndexFile, appUrl, devServerUrl } from './fakes';

describe('rendererUrl', () => {
  it('is the built index.html as a file: URL', () => {
    expect(rendererUrl({ rendererIndexFile: appIndexFile })).toBe('file:///opt/Hearth/out/renderer/index.html');
  });

  it('is the dev server while developing', () => {
    expect(rendererUrl({ devServerUrl, rendererIndexFile: appIndexFile })).toBe(devServerUrl);
  });

  it('escapes characters a path may hold but a URL may not', () => {
    expect(rendererUrl({ rendererIndexFile: '/home/a b/#1/index.html' })).toBe('file:///home/a%20b/%231/index.html');
  });
});

describe('createAppUrlPolicy for a file: app', () => {
  const isAppUrl = createAppUrlPolicy(appUrl);

  it('admits the app page itself, with any hash or query', () => {
    expect(isAppUrl(appUrl)).toBe(true);
    expect(isAppUrl(`${appUrl}#/chat/3`)).toBe(true);
    expect(isAppUrl(`${appUrl}?view=models`)).toBe(true);
  });

  it('refuses every other file, though all file: URLs share one origin', () => {
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('file:///opt/Hearth/out/renderer/other.html')).toBe(false);
    expect(isAppUrl('file://remote-host/opt/Hearth/out/renderer/index.html')).toBe(false);
  });

  it('refuses web pages and garbage', () => {
    expect(isAppUrl('https://example.com/opt/Hearth/out/renderer/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isAppUrl('')).toBe(false);
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
