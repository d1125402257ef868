/**
 * Figures 1 and 2: a reply streamed through the whole app (server process → HTTP/SSE → a Chromium
 * page) against the same reply from node-llama-cpp alone in its own long-lived process
 * (raw-worker.mjs, no Hearth code, no transport), on the same model, settings, context size and
 * thread count, alternating the two so machine noise hits both. The 1B-shape section (shape.mjs)
 * runs the same comparison on its model.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv, log, median, modelFile, modelName, prompt, repoRoot, stopProcess, track } from './lib.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

export const decodeTokens = 512;

/**
 * One reply seen from the page (opened by `openEventPage`): sends `content` with chat.send and
 * resolves at its chat.end with when it was sent, each chat.delta's [arrival, outputTokens] (page
 * clock, ms), the message's status and its metrics.
 */
export function pageReply(page, conversationId, content) {
  return page.evaluate(
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
    { conversationId, content }
  );
}

/** A page on the served app with the event stream open, for `pageReply`. */
export async function openEventPage(server, browser) {
  const context = await browser.newContext();
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
  return { page, close: () => context.close() };
}

/** A reply of exactly `tokens` tokens in a new conversation, timed at the page. */
export async function appRun(server, page, model, tokens) {
  const settings = { temperature: 0, maxTokens: tokens, stopAtEos: false };
  const conversation = await server.call('conversations.create', { title: 'Decode benchmark', model, settings });
  const run = await pageReply(page, conversation.id, prompt);
  if (run.status !== 'complete' || run.deltas.length < 2) throw new Error(`the app's reply ended ${run.status} after ${run.deltas.length} deltas`);
  const [firstAt, firstTokens] = run.deltas[0];
  const [lastAt, lastTokens] = run.deltas.at(-1);
  if (lastTokens !== tokens) throw new Error(`the app's reply had ${lastTokens} tokens, not ${tokens}`);
  return {
    decode: ((lastTokens - firstTokens) * 1000) / (lastAt - firstAt),
    ttft: firstAt - run.sentAt,
    serverDecode: run.metrics?.decodeTokensPerSecond ?? NaN,
    serverTtft: run.metrics?.ttftMs ?? NaN,
    promptTokens: run.metrics?.promptTokens,
    prefillTokens: run.metrics?.prefillTokens
  };
}

/**
 * The raw side: a long-lived node-llama-cpp process (raw-worker.mjs) on `file`, with `env`'s threads and
 * `contextSize` (unset: the worker's default); `run(request)` is one reply, `reload()` one timed reload.
 */
export async function startRawWorker(file, env, contextSize) {
  const child = track(fork(join(benchDir, 'raw-worker.mjs'), [file, ...(contextSize ? [String(contextSize)] : [])], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
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
  const ask = (message) => {
    const answer = next();
    child.send(message);
    return answer;
  };
  return { ready, pid: child.pid, run: (request) => ask({ type: 'run', ...request }), reload: () => ask({ type: 'reload' }), stop: () => stopProcess(child) };
}

/**
 * Alternates `runs` app replies with raw ones of `tokens` tokens, after one untimed reply on each side
 * (both processes are warm from there on, as a running app is). The raw side answers in the app's chat
 * format (`loaded`: the engine status's model), and the first replies check that both evaluated the
 * same prompt. Returns medians: decode tok/s and TTFT (ms) on each side, and of per-pair decode ratios;
 * and each side's fastest decode and TTFT (`fastest`).
 */
export async function compareDecode({ server, page, raw, loaded, tokens, runs }) {
  const chatTemplate = loaded.isBaseModel ? null : loaded.chatTemplate;
  const rawRun = async () => {
    const result = await raw.run({ prompt, maxTokens: tokens, chatTemplate });
    if (result.tokens !== tokens) throw new Error(`the raw reply had ${result.tokens} tokens, not ${tokens}`);
    return result;
  };
  // Both sequences are empty before these: each evaluates its whole prompt.
  const warmApp = await appRun(server, page, loaded.name, tokens);
  const warmRaw = await rawRun();
  if (warmRaw.prefillTokens !== warmApp.prefillTokens) {
    throw new Error(`the raw side evaluated ${warmRaw.prefillTokens} prompt tokens, the app ${warmApp.prefillTokens} (of ${warmApp.promptTokens}): they would not be compared like with like`);
  }
  const app = [];
  const rawRuns = [];
  for (let i = 0; i < runs; i++) {
    app.push(await appRun(server, page, loaded.name, tokens));
    rawRuns.push(await rawRun());
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
    pairedRatio: median(app.map((run, i) => run.decode / rawRuns[i].decode)),
    // Other work on the machine only ever slows a run down: the fastest runs are each side's least disturbed.
    fastest: {
      appDecode: Math.max(...app.map((run) => run.decode)),
      rawDecode: Math.max(...rawRuns.map((run) => run.decode)),
      appTtft: Math.min(...app.map((run) => run.ttft)),
      rawTtft: Math.min(...rawRuns.map((run) => run.ttft))
    }
  };
}

/** Figures 1 and 2 on the test model: 512-token replies, 7 pairs, 1 thread. */
export async function measureDecode(server, browser, runs = 7) {
  const status = await server.call('engine.load', { model: modelName });
  const raw = await startRawWorker(modelFile, benchEnv);
  const events = await openEventPage(server, browser);
  try {
    log(
      `decode: app context ${status.model?.contextSize ?? '?'} tokens, ${status.model?.threads ?? '?'} threads · raw context ${raw.ready.contextSize} tokens, ${raw.ready.threads} threads`
    );
    return await compareDecode({ server, page: events.page, raw, loaded: status.model, tokens: decodeTokens, runs });
  } finally {
    await events.close();
    await raw.stop();
  }
}
