/**
 * Speculative decoding's speed-up: decode tok/s of the same greedy reply with prompt-lookup drafting
 * over without, through `hearth chat` (one process per run), on a prompt the reply repeats from, where
 * drafting from the prompt pays. Alternated pairs; medians.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { benchEnv, cli, log, median, modelFile } from './lib.mjs';

const run = promisify(execFile);
const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the sunshine. One day, she saw a big tree.';
const repetitivePrompt = `${story} ${story} ${story}`;

async function decodeRate(extra) {
  const { stderr } = await run(process.execPath, [cli, 'chat', '--model', modelFile, '--temperature', '0', '--max-tokens', '256', '--ignore-eos', ...extra, repetitivePrompt], { env: benchEnv });
  const rate = Number(stderr.match(/([\d.]+) tok\/s/)?.[1]);
  if (!Number.isFinite(rate)) throw new Error(`no decode rate in: ${stderr}`);
  const accepted = stderr.match(/(\d+)% of drafts accepted/)?.[1];
  return { rate, accepted: accepted === undefined ? null : Number(accepted) };
}

export async function measureSpeculation(pairs = 3) {
  const plain = [];
  const drafted = [];
  const accepted = [];
  for (let pair = 0; pair < pairs; pair++) {
    plain.push((await decodeRate([])).rate);
    const withLookup = await decodeRate(['--prompt-lookup']);
    drafted.push(withLookup.rate);
    if (withLookup.accepted !== null) accepted.push(withLookup.accepted);
  }
  log(`speculation: plain ${median(plain).toFixed(1)} tok/s, prompt lookup ${median(drafted).toFixed(1)} tok/s, ${accepted.length ? `${median(accepted)}% of drafts accepted` : 'no drafts'}`);
  return median(drafted) / median(plain);
}
