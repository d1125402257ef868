/**
 * The 1B-shape section: figures on a GGUF with Llama-3.2-1B's exact tensor shapes (16 layers, embedding
 * 2048, feed-forward 8192, 32 heads, 8 KV heads, head size 64, vocabulary 128256, tied output) at
 * Q4_K_M with zero weights, written by `hearth shape-model`. Zeros cost the CPU kernels what real
 * weights do, so speed and memory are a real 1B's; the text is not. The Q4_K_M mix is the fixtures'
 * approximation (a Q4_K embedding, Q6_K for every V and down projection: 736 MiB, where llama.cpp's
 * quantize makes a tied embedding Q6_K and half of those Q4_K: about 770 MiB). Two threads (HEARTH_THREADS=2),
 * CPU only, the app's default context. The stories260K figures stay the per-token overhead proxy; these
 * show what a real-sized model adds: load, memory, bandwidth, prefix reuse.
 *
 * The model is cached outside the repository, in $XDG_CACHE_HOME/hearth-bench (~/.cache/hearth-bench),
 * and written again only when missing or when its header or size differ from what the command would
 * write (the command itself checks). The models folder of the run links to it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compareDecode, openEventPage, startRawWorker } from './decode.mjs';
import { cli, freshFolders, log, median, ms, removeFolder, startServer } from './lib.mjs';
import { measurePrefixReuse, replyTokens } from './prefix.mjs';

const run = promisify(execFile);
const threads = 2;
const shapeEnv = { ...process.env, HEARTH_THREADS: String(threads), HEARTH_GPU: 'cpu' };
const shape = { name: 'llama32_1b', quant: 'Q4_K_M', file: 'llama32_1b-Q4_K_M.gguf' };
const decodeTokens = 64;
const decodeRuns = 5;
const loadRuns = 5;

/** The cached model, written first when it is missing or not current; {path, bytes, written}. */
async function cachedModel() {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hearth-bench');
  mkdirSync(dir, { recursive: true });
  const startedAt = performance.now();
  const { stdout } = await run(process.execPath, [cli, 'shape-model', '--shape', shape.name, '--quant', shape.quant, '--out', join(dir, shape.file), '--json']);
  const model = JSON.parse(stdout);
  log(`1B shape: ${model.written ? 'wrote' : 'checked'} ${model.path} in ${ms(performance.now() - startedAt)} ms`);
  return model;
}

/**
 * engine.load through the API (unloaded first) against the raw process's loadModel + createContext,
 * alternated: median times (ms) of each, and the ratio of the fastest.
 */
async function compareLoads(server, raw) {
  const app = [];
  const rawTimes = [];
  for (let i = 0; i < loadRuns; i++) {
    await server.call('engine.unload');
    const startedAt = performance.now();
    const status = await server.call('engine.load', { model: shape.file });
    app.push(performance.now() - startedAt);
    rawTimes.push((await raw.reload()).loadMs);
    log(`load run ${i + 1}/${loadRuns}: app ${ms(app.at(-1))} ms through the API (the engine's own ${ms(status.model.loadMs)} ms) · raw ${ms(rawTimes.at(-1))} ms`);
  }
  return { app: median(app), raw: median(rawTimes), fastestRatio: Math.min(...app) / Math.min(...rawTimes) };
}

/** Measures the section and prints its header and figures with `figure(name, value, target)`. */
export async function measureShape(browser, figure) {
  const model = await cachedModel();
  const folders = freshFolders('shape', { file: model.path, name: shape.file, link: true });
  const server = await startServer(folders, shapeEnv);
  let raw = null;
  let events = null;
  try {
    // The first load, on a fresh process, is the one whose memory the fit figure compares with the estimate.
    const { model: loaded } = await server.call('engine.load', { model: shape.file });
    process.stdout.write(
      `1B shape · ${shape.file}: Llama 3.2 1B's tensor shapes, ${shape.quant}, zero weights, ${(model.bytes / 2 ** 20).toFixed(0)} MiB · ` +
        `${loaded.threads} threads (HEARTH_THREADS=${threads}), CPU only · context ${loaded.contextSize} tokens · ${decodeTokens}-token replies × ${decodeRuns} runs · load average ${loadavg()[0].toFixed(1)}\n`
    );
    raw = await startRawWorker(model.path, shapeEnv, loaded.contextSize);
    events = await openEventPage(server, browser);
    const decode = await compareDecode({ server, page: events.page, raw, loaded, tokens: decodeTokens, runs: decodeRuns });
    log(`1B decode medians: app ${decode.appDecode.toFixed(2)} tok/s, raw ${decode.rawDecode.toFixed(2)} tok/s (per-pair ratio ${decode.pairedRatio.toFixed(3)}); ttft app ${ms(decode.appTtft)} ms, raw ${ms(decode.rawTtft)} ms`);
    const { model: fit } = await server.call('engine.status');
    const reuse = await measurePrefixReuse(server, events.page, shape.file);
    const loads = await compareLoads(server, raw);
    await raw.stop();
    raw = null;
    // The benchmark holds the engine; with nothing loaded it has nothing to reload afterwards.
    await server.call('engine.unload');
    // Five repetitions: the figure is a mean, and a run disturbed by the machine's other work moves it.
    const bench = await server.call('bench.run', { model: shape.file, promptTokens: 64, genTokens: decodeTokens, reps: 5, batch: [1] });
    log(
      `1B bench: decode ${bench.decodeTokensPerSecond.mean.toFixed(2)} ± ${bench.decodeTokensPerSecond.std.toFixed(2)} tok/s, limit ${bench.limitTokensPerSecond.toFixed(1)} tok/s ` +
        `(${bench.bandwidthGbPerSecond.toFixed(1)} GB/s measured with ${bench.threads} threads ÷ ${(bench.bytesPerToken / 1e6).toFixed(0)} MB per token), load ${ms(bench.loadMs)} ms`
    );
    const chatShare = (decode.appDecode / bench.limitTokensPerSecond) * 100;

    const { fastest } = decode;
    figure('1B shape decode app/raw ratio', `${(decode.appDecode / decode.rawDecode).toFixed(3)} (fastest runs: ${(fastest.appDecode / fastest.rawDecode).toFixed(3)})`, '>= 0.97');
    figure('1B shape ttft app-raw', `${ms(decode.appTtft - decode.rawTtft)} ms (fastest runs: ${ms(fastest.appTtft - fastest.rawTtft)} ms)`, '<= 10 ms');
    figure('1B shape load time app/raw', `${(loads.app / loads.raw).toFixed(3)} (${ms(loads.app)} / ${ms(loads.raw)} ms; fastest runs: ${loads.fastestRatio.toFixed(3)})`, '<= 1.1');
    figure('1B shape fit estimate error', `${(((fit.estimatedBytes - fit.measuredBytes) / fit.measuredBytes) * 100).toFixed(1)}% (estimated ${mib(fit.estimatedBytes)} MiB, measured ${mib(fit.measuredBytes)} MiB)`, 'within ±10%');
    figure(
      '1B shape decode % of the bandwidth limit',
      `${bench.percentOfLimit.toFixed(1)}% (hearth bench: ${bench.decodeTokensPerSecond.mean.toFixed(1)} of ${bench.limitTokensPerSecond.toFixed(1)} tok/s; the chat's ${decode.appDecode.toFixed(1)} tok/s is ${chatShare.toFixed(1)}%)`,
      '>= 70%'
    );
    const fifth = reuse.conversations.map((turns) => turns.at(-1));
    const firsts = reuse.conversations.map((turns) => turns[0]);
    figure(
      `1B shape turn-5 prefill (5 turns, replies of ${replyTokens} tokens, ${fifth.length} conversations)`,
      `${[...new Set(fifth.map((turn) => turn.prefillTokens))].join(', ')} of ${fifth[0].promptTokens} prompt tokens`,
      `${[...new Set(fifth.map((turn) => turn.newTokens))].join(', ')}, the new message and its turn markers`
    );
    // Turn 1 may prefill less than turn 5: its conversation starts like the one before it, already evaluated.
    const prefilled = median(fifth.map((turn) => turn.prefillTokens)) / median(firsts.map((turn) => turn.prefillTokens));
    figure(
      '1B shape ttft turn 5 / turn 1 (medians)',
      `${(reuse.lastTtft / reuse.firstTtft).toFixed(2)} (${ms(reuse.lastTtft)} / ${ms(reuse.firstTtft)} ms; tokens prefilled ${prefilled.toFixed(2)}×)`,
      `<= ${(1.2 * prefilled).toFixed(2)}, 1.2 × the ratio of tokens prefilled`
    );
  } finally {
    await events?.close();
    await raw?.stop();
    await server.stop();
    removeFolder(folders.root);
  }
}

function mib(bytes) {
  return (bytes / 2 ** 20).toFixed(0);
}
