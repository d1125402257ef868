import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';

export const builtCli = resolve(__dirname, '../../out/main/cli.js');

export interface ServerProcess {
  child: ChildProcess;
  /** Where it serves, without the token. */
  url: string;
  /** Browser mode's token, from the address it printed; `call` sends it. */
  token: string;
  output: () => string;
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
}

/** Starts `hearth serve` (or `start`, which falls back to serving) from the build as its own process, on a free port. */
export async function startServerProcess(args: string[], env: NodeJS.ProcessEnv = {}, command: 'serve' | 'start' = 'serve'): Promise<ServerProcess> {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` before the integration tests.`);
  const child = spawn(process.execPath, [builtCli, command, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  const [url, token] = await new Promise<[string, string]>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const match = log.match(/(http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w%-]+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl([match[1], decodeURIComponent(match[2])]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    child,
    url,
    token,
    output: () => log,
    async call(method, input = {}) {
      const response = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(input)
      });
      const body = (await response.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
      return body.result as never;
    }
  };
}

/** The /v1 base URL a server started with `--api` printed. */
export async function apiUrlOf(server: ServerProcess): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const match = server.output().match(/OpenAI-compatible API on (http:\/\/127\.0\.0\.1:\d+\/v1)/);
    if (match) return match[1];
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`no API line:\n${server.output()}`);
}

/**
 * A Hearth in its own process serving /v1 on a free port, over `dir`'s data and models folders: the
 * `models` files are copied in and `write` may add generated ones (probe models) before it starts.
 */
export async function startApiProcess(dir: string, models: string[], args: string[] = [], write?: (modelsDir: string) => void) {
  const modelsDir = join(dir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  for (const model of models) copyFileSync(model, join(modelsDir, model.split('/').at(-1)!));
  write?.(modelsDir);
  const server = await startServerProcess(['--data-dir', join(dir, 'data'), '--models-dir', modelsDir, '--api', '--api-port', '0', ...args], { HEARTH_GPU: 'cpu' });
  const baseURL = await apiUrlOf(server);
  // The official client, as an editor or script would point it at Hearth: no key on loopback, and no retries that would hide a failure.
  return { server, baseURL, client: new OpenAI({ baseURL, apiKey: 'not-needed-on-loopback', maxRetries: 0 }) };
}

export function killed(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill(signal);
  });
}
