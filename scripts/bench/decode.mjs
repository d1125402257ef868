/**
 * Figures 1 and 2: a reply streamed through the whole app (server process → HTTP/SSE → a Chromium
 * page) against the same reply from node-llama-cpp alone in its own long-lived process
 * (raw-worker.mjs, no Hearth code, no transport), on the same model, settings, context size and
 * thread count, alternating the two so machine noise hits both.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv, log, median, modelFile, modelName, prompt, repoRoot, stopProcess, track } from './lib.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

export const decodeTokens = 512;
const settings = { temperature: 0, maxTokens: decodeTokens, stopAtEos: false };

/** One reply seen from the page: when chat.send was called, and when each chat.delta arrived. */
export async function appRun(server, page) {
  const conversation = await server.call('conversations.create', { title: 'Decode benchmark', model: modelName, settings });
  const run = await page.evaluate(
    async ({ conversationId, content }) => {
      const events = window.__hearthBench.events;
      const deltas = [];
      let finish;
      const ended = new Promise((resolve, reject) => {
        finish = resolve;
        setTimeout(() => reject(new Error('no chat.end within 120 s')), 120_000);
      });
      const onDelta = (event) => {
        const at = performance.now();
        const data = JSON.parse(event.data);
        if (data.conversationId === conversationId) deltas.push([at, data.outputTokens]);
      };
      const onEnd = (event) => {
        const data = JSON.parse(event.data);
        if (data.conversationId === conversationId) finish(data.message);
      };
      events.addEventListener('chat.delta', onDelta);
      events.addEventListener('chat.end', onEnd);
      try {
        const sentAt = performance.now();
        const response = await fetch('/api/chat.send', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ conversationId, content })
        });
        const body = await response.json();
        if (!body.ok) throw new Error(`chat.send failed: ${body.error?.message}`);
        const message = await ended;
        return { sentAt, deltas, status: message.status, metrics: message.metrics };
      } finally {
        events.removeEventListener('chat.delta', onDelta);
        events.removeEventListener('chat.end', onEnd);
      }
    },
    { conversationId: conversation.id, content: prompt }
  );
  if (run.status !== 'complete' || run.deltas.length < 2) throw new Error(`the app's reply ended ${run.status} after ${run.deltas.length} deltas`);
  const [firstAt, firstTokens] = run.deltas[0];
  const [lastAt, lastTokens] = run.deltas.at(-1);
  if (lastTokens !== decodeTokens) throw new Error(`the app's reply had ${lastTokens} tokens, not ${decodeTokens}`);
  return {
    decode: ((lastTokens - firstTokens) * 1000) / (lastAt - firstAt),
    ttft: firstAt - run.sentAt,
    serverDecode: run.metrics?.decodeTokensPerSecond ?? NaN,
    serverTtft: run.metrics?.ttftMs ?? NaN
  };
}

/** A page on the served app with the bench's own event stream open beside the app's (what `appRun` listens to). */
export async function openAppPage(context, server) {
  const page = await context.newPage();
  await page.goto(server.pageUrl);
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const events = new EventSource('/api/events');
        window.__hearthBench = { events };
        events.onopen = () => resolve();
        setTimeout(() => reject(new Error('the event stream did not open')), 10_000);
      })
  );
  return page;
}

/** The raw side: a long-lived node-llama-cpp process (raw-worker.mjs), one reply per request. */
export async function startRawWorker() {
  const child = track(fork(join(benchDir, 'raw-worker.mjs'), [modelFile], { cwd: repoRoot, env: benchEnv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`the raw node-llama-cpp process exited (${code}):\n${stderr}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        if (message.type === 'error') reject(new Error(`raw run failed: ${message.message}`));
        else resolve(message);
      });
    });
  const ready = await next();
  return {
    ready,
    pid: child.pid,
    async run() {
      const answer = next();
      child.send({ type: 'run', prompt, maxTokens: decodeTokens });
      const result = await answer;
      if (result.tokens !== decodeTokens) throw new Error(`the raw reply had ${result.tokens} tokens, not ${decodeTokens}`);
      return result;
    },
    stop: () => stopProcess(child)
  };
}

export async function measureDecode(server, browser, runs = 7) {
  const status = await server.call('engine.load', { model: modelName });
  const raw = await startRawWorker();
  const context = await browser.newContext();
  try {
    log(
      `decode: app context ${status.model?.contextSize ?? '?'} tokens, ${status.model?.threads ?? '?'} threads · raw context ${raw.ready.contextSize} tokens, ${raw.ready.threads} threads`
    );
    const page = await openAppPage(context, server);
    // One untimed reply on each side: both processes are warm from here on, as a running app is.
    await appRun(server, page);
    await raw.run();
    const app = [];
    const rawRuns = [];
    for (let i = 0; i < runs; i++) {
      app.push(await appRun(server, page));
      rawRuns.push(await raw.run());
      const a = app.at(-1);
      const r = rawRuns.at(-1);
      log(
        `decode run ${i + 1}/${runs}: app ${a.decode.toFixed(1)} tok/s in the page (server says ${a.serverDecode.toFixed(1)}), ttft ${a.ttft.toFixed(1)} ms` +
          ` (server says ${a.serverTtft.toFixed(1)}) · raw ${r.decode.toFixed(1)} tok/s, ttft ${r.ttft.toFixed(1)} ms`
      );
    }
    return {
      appDecode: median(app.map((run) => run.decode)),
      rawDecode: median(rawRuns.map((run) => run.decode)),
      appTtft: median(app.map((run) => run.ttft)),
      rawTtft: median(rawRuns.map((run) => run.ttft)),
      pairedRatio: median(app.map((run, i) => run.decode / rawRuns[i].decode))
    };
  } finally {
    await context.close();
    await raw.stop();
  }
}
