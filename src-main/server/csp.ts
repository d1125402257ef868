/** The one Content-Security-Policy: the desktop window and browser mode send the same. */
export type CspDirectives = Record<string, string[]>;

/**
 * The production policy allows no inline script or style: Svelte sets styles through the CSSOM
 * and animates with the Web Animations API, neither of which CSP restricts. In development the
 * Vite client injects CSS as <style> elements and keeps a WebSocket open for hot reload.
 */
export function cspDirectives(options: { devServerUrl?: string } = {}): CspDirectives {
  const directives: CspDirectives = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'none'"]
  };
  if (options.devServerUrl) {
    const server = new URL(options.devServerUrl);
    directives['style-src'].push("'unsafe-inline'");
    directives['connect-src'].push(`${server.protocol === 'https:' ? 'wss' : 'ws'}://${server.host}`);
  }
  return directives;
}

export function contentSecurityPolicy(options: { devServerUrl?: string } = {}): string {
  return Object.entries(cspDirectives(options))
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
