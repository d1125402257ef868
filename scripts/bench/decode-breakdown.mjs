#!/usr/bin/env node
/**
 * `node scripts/bench/decode-breakdown.mjs [runs]`: where figure 1's gap (decode app/raw) comes from. Three
 * sides alternate, in rotating order, on the same build and model: the app as figure 1 sees it (a Chromium
 * page on the served app, timed at its chat.delta events), the same app on a second server whose only
 * client is an event stream read here (no browser; timed by the server's own metrics), and node-llama-cpp
 * alone (raw-worker.mjs). Beside each run's speed it reads, from /proc (Linux), the CPU time each process
 * involved spent during the run, per generated token: the side's own process (its main thread, where
 * Hearth's code and node-llama-cpp's JavaScript run, with the reply's setup and storage; its other threads,
 * where llama.cpp decodes), Chromium, and this driver. CPU time depends much less than speed on what else
 * the machine runs, so it shows what each side costs when another load makes the speeds noisy; a busy
 * machine still inflates it (caches), so compare the columns of one run, not runs made at different times.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appRun, decodeTokens, openEventPage, startRawWorker } from './decode.mjs';
import { benchEnv, cleanUpNow, cli, freshFolders, launchChromium, median, modelFile, modelName, prompt, removeFolder, startServer } from './lib.mjs';

const runs = Number(process.argv[2] ?? 15);
const canReadCpu = existsSync(`/proc/${process.pid}/task`);

/** Nanoseconds on the CPU by each thread of `pid` (/proc/<pid>/task/<tid>/schedstat). */
function threadCpu(pid) {
  const byThread = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byThread.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byThread;
}

function processCpu(pid) {
  const threads = threadCpu(pid);
  const main = threads.get(String(pid)) ?? 0;
  let all = 0;
  for (const ns of threads.values()) all += ns;
  return { main, other: all - main };
}

/** Every process started under this one (Chromium's, the servers, the raw worker), by pid. */
function descendants() {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces; the parent pid is the second field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const found = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parentOf) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return found;
}

/** CPU time so far of each group this breakdown reports, in ns. */
function cpuSnapshot(pids) {
  const driver = processCpu(process.pid);
  const snapshot = { driver: driver.main + driver.other, chromium: 0 };
  for (const [name, pid] of Object.entries(pids)) snapshot[name] = processCpu(pid);
  for (const pid of descendants()) {
    if (Object.values(pids).includes(pid)) continue;
    try {
      const { main, other } = processCpu(pid);
      snapshot.chromium += main + other;
    } catch {
      // It ended.
    }
  }
  return snapshot;
}

/** µs per generated token that `side`'s own process (its main thread, its other threads), Chromium and this driver spent between two snapshots. */
function cpuPerToken(side, before, after) {
  const perToken = (ns) => ns / 1000 / decodeTokens;
  return {
    'main thread': perToken(after[side].main - before[side].main),
    'other threads': perToken(after[side].other - before[side].other),
    Chromium: perToken(after.chromium - before.chromium),
    'this driver': perToken(after.driver - before.driver)
  };
}

/** A reply on a server no browser looks at, read from its event stream; timed by the server's own metrics. */
async function headlessSide(server) {
  await server.call('engine.load', { model: modelName });
  const response = await fetch(`${server.url}/api/events`, { headers: { Authorization: `Bearer ${server.token}` } });
  const waiting = new Set();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.startsWith('event: chat.end\n')) continue;
        const { message } = JSON.parse(block.slice(block.indexOf('\ndata: ') + 7));
        for (const resolve of waiting) resolve(message);
      }
    }
  })().catch(() => undefined);
  return async () => {
    const conversation = await server.call('conversations.create', { title: 'Decode breakdown', model: modelName, settings: { temperature: 0, maxTokens: decodeTokens, stopAtEos: false } });
    const ended = new Promise((resolve) => {
      const done = (message) => {
        if (message.conversationId !== conversation.id) return;
        waiting.delete(done);
        resolve(message);
      };
      waiting.add(done);
    });
    await server.call('chat.send', { conversationId: conversation.id, content: prompt });
    const message = await ended;
    if (message.metrics?.outputTokens !== decodeTokens) throw new Error(`the headless reply ended ${message.status} with ${message.metrics?.outputTokens} tokens`);
    return { decode: message.metrics.decodeTokensPerSecond };
  };
}

function report(results, cpu) {
  const speed = (side) => median(results[side].map((run) => run.decode));
  const rawSpeed = speed('raw');
  const paired = (side, read = (run) => run.decode) => median(results[side].map((run, i) => read(run) / results.raw[i].decode));
  console.log(`decode tok/s, medians of ${runs}: raw ${rawSpeed.toFixed(0)}`);
  console.log(`  app in the page:         ${speed('paged').toFixed(0)} · ratio ${(speed('paged') / rawSpeed).toFixed(3)} (median of pairs ${paired('paged').toFixed(3)})`);
  console.log(`  same app, server says:   ${median(results.paged.map((run) => run.serverDecode)).toFixed(0)} · median of pairs ${paired('paged', (run) => run.serverDecode).toFixed(3)}`);
  console.log(`  app with no browser:     ${speed('headless').toFixed(0)} · ratio ${(speed('headless') / rawSpeed).toFixed(3)} (median of pairs ${paired('headless').toFixed(3)})`);
  if (!canReadCpu) return;
  console.log("CPU µs per generated token during each side's runs, medians (main thread: Hearth's code and node-llama-cpp's JavaScript; other threads: llama.cpp):");
  const sides = { paged: 'app in page', headless: 'no browser', raw: 'raw' };
  console.log(`  ${''.padEnd(14)}${Object.values(sides).map((name) => name.padStart(13)).join('')}`);
  for (const group of Object.keys(cpu.raw[0])) {
    const cells = Object.keys(sides).map((side) => median(cpu[side].map((run) => run[group])).toFixed(1).padStart(13));
    console.log(`  ${group.padEnd(14)}${cells.join('')}`);
  }
}

async function main() {
  if (!existsSync(cli)) throw new Error('out/ is missing: run `npx electron-vite build` (or `npm run bench`) first.');
  const browser = await launchChromium();
  const folders = [freshFolders('paged'), freshFolders('headless')];
  const [pagedServer, headlessServer] = await Promise.all(folders.map((f) => startServer(f)));
  const raw = await startRawWorker(modelFile, benchEnv);
  let view;
  try {
    await pagedServer.call('engine.load', { model: modelName });
    view = await openEventPage(pagedServer, browser);
    const page = view.page;
    const sides = { paged: () => appRun(pagedServer, page, modelName, decodeTokens), headless: await headlessSide(headlessServer), raw: () => raw.run({ prompt, maxTokens: decodeTokens, chatTemplate: null }) };
    const pids = { paged: pagedServer.child.pid, headless: headlessServer.child.pid, raw: raw.pid };
    for (const run of Object.values(sides)) await run();
    const order = Object.keys(sides);
    const results = { paged: [], headless: [], raw: [] };
    const cpu = { paged: [], headless: [], raw: [] };
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < order.length; j++) {
        const side = order[(i + j) % order.length];
        const before = canReadCpu ? cpuSnapshot(pids) : null;
        results[side].push(await sides[side]());
        if (before) cpu[side].push(cpuPerToken(side, before, cpuSnapshot(pids)));
      }
      process.stderr.write(`[breakdown] run ${i + 1}/${runs}: ${order.map((side) => `${side} ${results[side].at(-1).decode.toFixed(0)}`).join(', ')} tok/s\n`);
    }
    report(results, cpu);
  } finally {
    await view?.close();
    await browser.close();
    await Promise.all([pagedServer.stop(), headlessServer.stop(), raw.stop()]);
    folders.forEach((f) => removeFolder(f.root));
  }
}

main().then(
  () => {
    cleanUpNow();
    process.exit(0);
  },
  (error) => {
    console.error(`[breakdown] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    cleanUpNow();
    process.exit(1);
  }
);
