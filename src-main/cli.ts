import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { browserToken, createHearth, defaultRecommendContext, historyRemedies, keepServingOnUnexpectedErrors, type Hearth, type HearthOptions } from './app';
import { HistoryFileError } from './history';
import { shapes } from './models';
import { fitCommand, recommendCommand } from './cli/commands';
import { modelsCommand } from './cli/models';
import { chatCommand, tokenizeCommand } from './cli/chat';
import { chatWithDocsCommand, docsCommand } from './cli/docs';
import { benchCommand } from './cli/bench';
import { shapeModelCommand } from './cli/shapeModel';
import { commandLineApiSettings, type ServeApiFlags } from './cli/serveApi';
import { modelFileOf } from './cli/modelFile';
import { launchDesktop, launchDevelopment } from './electron';
import { resolvePaths, type HearthPaths } from './paths';
import { startHttpServer, startOpenAiServer, type RunningServer } from './server';

const usage = `Usage: hearth <command> [options]

Commands:
  start                        the desktop app (browser mode when Electron cannot start)
  dev                          the desktop app with hot reload (electron-vite dev)
  serve                        browser mode: the app and its API on http://127.0.0.1
  chat --model <file> "text"   one reply from a GGUF model, streamed to stdout
  tokenize --model <file> "text" [--json]
                               the model's tokens for the text (id and piece), and their count
  bench --model <file> [--prompt 512] [--gen 128] [--reps 5] [--batch 1,2,4] [--json]
                               load time, prefill and decode tok/s (alone and in parallel) and % of the bandwidth limit
  recommend [--context N] [--min-speed N] [--priority balanced|speed|quality] [--json]
                               this machine, and the catalog's models ranked for it; picks slower
                               than --min-speed tok/s (default 5, 0 = off) are flagged and ranked after
  fit --model <file> [--context N] [--measure] [--json]
                               how a local GGUF fits: our estimate, node-llama-cpp's, and (--measure) a real load
  models list [--json]         the models folder, with what each file's header says
  models search <text> [--sort downloads|likes|recent] [--json]   GGUF repositories on the Hugging Face Hub
  models files <owner/repo> [--context N] [--json]   its GGUF files by quantization, sizes and fit here
  models pull <source>         download hf:owner/repo/file.gguf, hf:owner/repo:Q4_K_M, catalog:id:Q4_K_M or a URL
                               (resumes an earlier partial download; Ctrl+C pauses)
  models import <file> [--link]  copy (or link) a GGUF into the models folder, after checking it
  models rm <name>             delete a model from the models folder
  docs add <files…> [--collection NAME] [--embedding-model NAME]
                               read text, Markdown, code, HTML, PDF, DOCX files and index them (with that model's vectors)
  docs list [--json] | docs search <text> [--collection NAME] [--json]
                               the documents and collections | the best chunks (keyword + vector): file, page, score, text
  chat --docs NAME --model <file> "question"   a reply that reads the collection, then its sources

Developer commands:
  shape-model --shape <name> [--quant Q4_K_M|Q8_0|F16] [--layers N] --out <file> [--json]
                               a GGUF with a real model's tensor shapes and zero weights, to measure speed and
                               memory without the download; kept as it is when FILE already is that model
                               (shapes: ${Object.keys(shapes).join(', ')})

Options for start and serve:
  --port N          port (default 4317; 0 picks a free one)
  --host H          address to bind (default 127.0.0.1; others need --api-key)
  --api-key K       key required by the API (or HEARTH_API_KEY)
  --data-dir D      where history lives (or HEARTH_DATA_DIR)
  --models-dir M    where models live (or HEARTH_MODELS_DIR)
  --history-recover when the history file is damaged: copy what can be read into a new one (the damaged file is kept)
  --history-reset   when the history file cannot be used: move it aside (renamed with the time) and start empty

Options for serve's OpenAI-compatible API (off unless --api):
  --api             serve /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings
  --api-port N      port (default 1234; 0 picks a free one)
  --api-host H      address to bind (default 127.0.0.1; others need --api-key, which is then required as Bearer)
  --api-origins O   comma-separated browser origins allowed to call it (none by default)
  --api-max-tokens N  the most tokens any request gets (default 4096)
  --api-slots N     requests served side by side from the loaded model, each with its own context
                    (default 0: one at a time on the chat's context)
  --api-queue N     requests that may wait beyond those running, then 429 (default 512)

Options for chat (the settings a conversation has in the app):
  --model F --system S --temperature T --top-k K --top-p P --min-p P
  --repeat-penalty R --repeat-last-n N --presence-penalty P --frequency-penalty P
  --max-tokens N --seed N --stop S (repeatable) --ignore-eos --template NAME --context N
  --beam-width N --length-penalty L --draft-model F --prompt-lookup --threads N
  Reasoning models: --no-thinking (the template's no-thinking form, where it has one)
  --thought-budget N (end the thought after N tokens) --hide-thinking (drop the thought, else dimmed on stderr)`;

export const defaultPort = 4317;

/** The built renderer beside this bundle (out/main/cli.js → out/renderer). */
function rendererDir(): string | null {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../renderer');
  return existsSync(resolve(dir, 'index.html')) ? dir : null;
}

export interface ServeFlags extends ServeApiFlags {
  port?: string;
  host?: string;
  'data-dir'?: string;
  'models-dir'?: string;
  api?: boolean;
  'api-slots'?: string;
  'api-queue'?: string;
  'history-recover'?: boolean;
  'history-reset'?: boolean;
}

/**
 * Opens the app; a history file that cannot be used is left untouched unless the user chose, by flag,
 * one of the remedies (recover what can be read, or move it aside).
 */
async function openHearth(paths: HearthPaths, flags: ServeFlags, options: HearthOptions): Promise<Hearth> {
  try {
    return await createHearth(paths, options);
  } catch (error) {
    if (!(error instanceof HistoryFileError)) throw error;
    const remedies = historyRemedies(paths.databaseFile, error);
    const chosen = remedies.find((remedy) => flags[remedy.flag.slice(2) as 'history-recover' | 'history-reset']);
    if (!chosen) throw new Error(`${error.message}\nTo start anyway: ${remedies.map((remedy) => `${remedy.flag} (${remedy.label.toLowerCase()})`).join(', or ')}.`, { cause: error });
    console.log(chosen.apply());
    return createHearth(paths, options);
  }
}

export async function serve(flags: ServeFlags) {
  const paths = resolvePaths({ dataDir: flags['data-dir'], modelsDir: flags['models-dir'] });
  const apiSlots = flags['api-slots'] === undefined ? 0 : Number(flags['api-slots']);
  if (!Number.isInteger(apiSlots) || apiSlots < 0 || apiSlots > 64) throw new Error('--api-slots must be a whole number from 0 to 64');
  const apiQueue = flags['api-queue'] === undefined ? undefined : Number(flags['api-queue']);
  if (apiQueue !== undefined && !(Number.isInteger(apiQueue) && apiQueue >= 0 && apiQueue <= 10_000)) throw new Error('--api-queue must be a whole number from 0 to 10000');
  const hearth = await openHearth(paths, flags, { apiSlots: flags.api ? apiSlots : 0, apiQueue, startOpenAiServer });
  const userKey = flags['api-key'] ?? process.env.HEARTH_API_KEY;
  const token = userKey ?? browserToken(paths.dataDir);
  let server: RunningServer;
  try {
    server = await startHttpServer({
      router: hearth.router,
      events: hearth.events,
      staticDir: rendererDir(),
      host: flags.host,
      port: flags.port === undefined ? defaultPort : Number(flags.port),
      token,
      userKey: userKey !== undefined
    });
  } catch (error) {
    await hearth.close();
    throw error;
  }
  // With --api, through the same controller as Settings → API server, which then shows it running;
  // without, the API runs as the user left it there.
  let apiUrl: string | null = null;
  try {
    if (flags.api) apiUrl = (await hearth.apiServer.startFromCommandLine(commandLineApiSettings(flags))).url;
    else await hearth.apiServer.resume();
  } catch (error) {
    await server.close();
    await hearth.close();
    throw error;
  }
  // A failure that escaped its own handling is printed; every other client keeps being served.
  keepServingOnUnexpectedErrors((message) => console.error(`hearth: ${message}`));
  console.log(`Hearth is serving on ${server.url}/?token=${encodeURIComponent(token)}`);
  console.log('Open that address: the token in it keeps other users of this machine out (scripts send it as Authorization: Bearer).');
  if (apiUrl) console.log(`OpenAI-compatible API on ${apiUrl}`);
  console.log(`History: ${paths.databaseFile}`);
  console.log(`Models:  ${paths.modelsDir}`);
  const shutdown = async () => {
    await server.close();
    await hearth.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  return server;
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      api: { type: 'boolean' },
      'api-port': { type: 'string' },
      'api-host': { type: 'string' },
      'api-origins': { type: 'string' },
      'api-max-tokens': { type: 'string' },
      'api-slots': { type: 'string' },
      'api-queue': { type: 'string' },
      'history-recover': { type: 'boolean' },
      'history-reset': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'models-dir': { type: 'string' },
      model: { type: 'string' },
      system: { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      'min-p': { type: 'string' },
      'repeat-penalty': { type: 'string' },
      'repeat-last-n': { type: 'string' },
      'presence-penalty': { type: 'string' },
      'frequency-penalty': { type: 'string' },
      stop: { type: 'string', multiple: true },
      'ignore-eos': { type: 'boolean' },
      template: { type: 'string' },
      'beam-width': { type: 'string' },
      'length-penalty': { type: 'string' },
      'draft-model': { type: 'string' },
      'prompt-lookup': { type: 'boolean' },
      'no-thinking': { type: 'boolean' },
      'thought-budget': { type: 'string' },
      'hide-thinking': { type: 'boolean' },
      prompt: { type: 'string' },
      gen: { type: 'string' },
      reps: { type: 'string' },
      batch: { type: 'string' },
      'max-tokens': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      context: { type: 'string' },
      json: { type: 'boolean' },
      docs: { type: 'string' }, collection: { type: 'string' }, 'embedding-model': { type: 'string' },
      measure: { type: 'boolean' },
      link: { type: 'boolean' },
      'min-speed': { type: 'string' },
      priority: { type: 'string' },
      sort: { type: 'string' },
      shape: { type: 'string' },
      quant: { type: 'string' },
      layers: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  });
  const [command, ...rest] = positionals;
  const { help, json = false, measure = false, link = false, context, docs, collection, 'embedding-model': embeddingModel, ...options } = values;
  const paths = () => resolvePaths({ dataDir: options['data-dir'], modelsDir: options['models-dir'] });
  for (const flag of ['model', 'draft-model'] as const) if (options[flag] && command !== 'shape-model') options[flag] = modelFileOf(options[flag], paths().modelsDir);
  const contextSize = context === undefined ? undefined : Number(context);
  if (contextSize !== undefined && !(Number.isInteger(contextSize) && contextSize >= 256)) throw new Error('--context must be a whole number of tokens, at least 256');
  if (help || !command) {
    console.log(usage);
    return;
  }
  switch (command) {
    case 'serve':
      await serve(options);
      return;
    case 'start':
      await launchDesktop(options, () => serve(options));
      return;
    case 'dev':
      await launchDevelopment(options, resolve(dirname(fileURLToPath(import.meta.url)), '../..'));
      return;
    case 'chat':
      await (docs === undefined ? chatCommand(options, rest.join(' '), contextSize) : chatWithDocsCommand(paths(), { ...options, docs }, rest.join(' '), contextSize));
      return;
    case 'docs':
      await docsCommand(paths(), rest[0], rest.slice(1), { collection, 'embedding-model': embeddingModel, json });
      return;
    case 'bench':
      await benchCommand(resolvePaths({ dataDir: options['data-dir'], modelsDir: options['models-dir'] }), options.model, options, json);
      return;
    case 'tokenize':
      await tokenizeCommand(options, rest.join(' '), json);
      return;
    case 'recommend':
      await recommendCommand(paths(), { contextSize: contextSize ?? defaultRecommendContext, json, minSpeed: options['min-speed'], priority: options.priority });
      return;
    case 'models':
      await modelsCommand(resolvePaths({ dataDir: options['data-dir'], modelsDir: options['models-dir'] }), rest[0], rest.slice(1).join(' ') || undefined, { json, link, sort: options.sort, contextSize });
      return;
    case 'shape-model':
      shapeModelCommand(options, json);
      return;
    case 'fit':
      if (!options.model) throw new Error('hearth fit needs --model <file.gguf>');
      await fitCommand(options.model, { contextSize, measure, json });
      return;
    default:
      throw new Error(`Unknown command "${command}".\n\n${usage}`);
  }
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`hearth: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
