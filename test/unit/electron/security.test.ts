import { describe, expect, it, vi } from 'vitest';
import { createAppUrlPolicy } from '../../../src-main/electron/appUrl';
import { guardSession, guardWebContents, type GuardedSession } from '../../../src-main/electron/security';
import { contentSecurityPolicy, cspDirectives } from '../../../src-main/server';
import { appUrl, devServerUrl, FakeEmitter, preventable } from './fakes';

const isAppUrl = createAppUrlPolicy(appUrl);

describe('Content-Security-Policy', () => {
  it('allows only the app’s own resources in production', () => {
    expect(cspDirectives()).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'none'"]
    });
  });

  it('serializes to one header value', () => {
    expect(contentSecurityPolicy()).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    );
  });

  it('never allows inline or evaluated script, nor remote hosts, in production', () => {
    const policy = contentSecurityPolicy();
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('lets the dev server inject styles and open its hot-reload socket, and nothing more', () => {
    const dev = cspDirectives({ devServerUrl });
    expect(dev['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev['connect-src']).toEqual(["'self'", 'ws://localhost:5173']);
    expect(dev['script-src']).toEqual(["'self'"]);
  });
});

class FakeWebContents extends FakeEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
}

function guarded() {
  const contents = new FakeWebContents();
  const shell = { openExternal: vi.fn(async (_url: string) => {}) };
  guardWebContents(contents, isAppUrl, shell);
  const navigate = (url: string) => {
    const event = preventable({ url });
    contents.emit('will-navigate', event);
    return event.defaultPrevented;
  };
  const open = (url: string) => contents.windowOpenHandler!({ url });
  return { contents, shell, navigate, open };
}

describe('guardWebContents', () => {
  it('blocks navigation to a foreign page', () => {
    const { navigate } = guarded();
    expect(navigate('https://example.com/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('javascript:alert(1)')).toBe(true);
  });

  it('allows navigation within the app', () => {
    const { navigate } = guarded();
    expect(navigate(appUrl)).toBe(false);
    expect(navigate(`${appUrl}#/models`)).toBe(false);
  });

  it('prevents attaching a webview', () => {
    const { contents } = guarded();
    const event = preventable({});
    contents.emit('will-attach-webview', event, {}, { src: 'https://example.com/' });
    expect(event.defaultPrevented).toBe(true);
  });

  it('denies every new window and opens web links in the system browser', () => {
    const { open, shell } = guarded();
    expect(open('https://example.com/docs')).toEqual({ action: 'deny' });
    expect(open('http://example.com/')).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls).toEqual([['https://example.com/docs'], ['http://example.com/']]);
  });

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'mailto:a@example.com', 'smb://host/share', appUrl, 'not a url'])(
    'opens nothing for %s',
    (url) => {
      const { open, shell } = guarded();
      expect(open(url)).toEqual({ action: 'deny' });
      expect(shell.openExternal).not.toHaveBeenCalled();
    }
  );
});

type HeadersListener = Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0];
type RequestHandler = Parameters<GuardedSession['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<GuardedSession['setPermissionCheckHandler']>[0];

function guardedSession(csp = contentSecurityPolicy()) {
  const handlers: { headers?: HeadersListener; request?: RequestHandler; check?: CheckHandler } = {};
  guardSession(
    {
      webRequest: { onHeadersReceived: (listener) => void (handlers.headers = listener) },
      setPermissionRequestHandler: (handler) => void (handlers.request = handler),
      setPermissionCheckHandler: (handler) => void (handlers.check = handler)
    },
    isAppUrl,
    csp
  );
  const request = (permission: string, requestingUrl = appUrl) => {
    const callback = vi.fn();
    handlers.request!({}, permission, callback, { requestingUrl });
    return callback.mock.calls[0]?.[0] as boolean | undefined;
  };
  const check = (permission: string, pageUrl: string | null = appUrl) =>
    handlers.check!(pageUrl === null ? null : { getURL: () => pageUrl }, permission);
  return { handlers, request, check };
}

describe('guardSession', () => {
  it('sets the policy on every response, replacing one the server sent and keeping other headers', () => {
    const { handlers } = guardedSession('default-src the-policy');
    const callback = vi.fn();
    handlers.headers!({ responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] } }, callback);
    expect(callback).toHaveBeenCalledExactlyOnceWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ['default-src the-policy'] }
    });
  });

  it('sets the policy on a response without headers', () => {
    const { handlers } = guardedSession('default-src the-policy');
    const callback = vi.fn();
    handlers.headers!({}, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': ['default-src the-policy'] } });
  });

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'midiSysex', 'unknown'])(
    'denies the %s permission',
    (permission) => {
      const { request, check } = guardedSession();
      expect(request(permission)).toBe(false);
      expect(check(permission)).toBe(false);
    }
  );

  it('lets only the app itself write to the clipboard, for its copy buttons', () => {
    const { request, check } = guardedSession();
    expect(request('clipboard-sanitized-write')).toBe(true);
    expect(check('clipboard-sanitized-write')).toBe(true);
    expect(request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check('clipboard-sanitized-write', null)).toBe(false);
  });
});
