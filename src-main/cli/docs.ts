import { basename, resolve } from 'node:path';
import { errorMessageOf, formatReplyStats, type DocumentHit, type IndexingProgress, type MessageSource } from '../api';
import { createHearth, FileModels, LocalBackend, type Hearth } from '../app';
import { withDocuments } from '../documents';
import type { HearthPaths } from '../paths';
import { replyPrinter, settingsFromFlags, type ChatFlags } from './chat';
import { benchmarkDocuments } from './docsBench';

export interface DocsFlags {
  collection?: string;
  'embedding-model'?: string;
  json: boolean;
}

/** Runs `work` on a Hearth over the data folder, closing it after. */
async function withHearth<T>(paths: HearthPaths, work: (hearth: Hearth) => Promise<T>): Promise<T> {
  const hearth = await createHearth(paths);
  try {
    return await work(hearth);
  } finally {
    await hearth.close();
  }
}

function progressLine(progress: IndexingProgress): string {
  const rate = progress.chunksPerSecond === null ? '' : ` · ${progress.chunksPerSecond.toFixed(1)} chunks/s`;
  const left = progress.secondsLeft === null ? '' : ` · ${Math.ceil(progress.secondsLeft)} s left`;
  return `Indexing with ${progress.embeddingModel}: ${progress.files.done}/${progress.files.total} files, ${progress.chunks.done}/${progress.chunks.total} chunks${rate}${left}`;
}

function collectionId(hearth: Hearth, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const collection = hearth.history.documents.collectionNamed(name);
  if (!collection) throw new Error(`There is no collection "${name}"; hearth docs list shows them.`);
  return collection.id;
}

/** Where a source is: "[1] report.pdf, page 2, Results". */
export function sourceLine(source: Pick<MessageSource, 'marker' | 'name' | 'page' | 'heading'>): string {
  return `[${source.marker}] ${[source.name, source.page === null ? null : `page ${source.page}`, source.heading || null].filter(Boolean).join(', ')}`;
}

function hitLines(hits: DocumentHit[]): string {
  if (hits.length === 0) return 'Nothing found.';
  return hits
    .map((hit, index) => `${sourceLine({ marker: index + 1, ...hit })}  (score ${hit.score.toFixed(4)})\n  ${hit.text.replace(/\s+/g, ' ').slice(0, 300)}`)
    .join('\n\n');
}

/**
 * `hearth docs add <files…> [--collection NAME] [--embedding-model NAME]`, `hearth docs list [--json]` and
 * `hearth docs search <text> [--collection NAME] [--json]`, on the history the flags or environment name.
 * `add` waits for indexing, showing its progress on a terminal; Ctrl+C stops it (it resumes next time).
 */
export async function docsCommand(paths: HearthPaths, action: string | undefined, args: string[], flags: DocsFlags): Promise<void> {
  switch (action) {
    case 'add':
      if (args.length === 0) throw new Error('hearth docs add needs one or more files');
      return withHearth(paths, async (hearth) => {
        if (flags['embedding-model']) await hearth.documents.setSettings({ embeddingModel: flags['embedding-model'] });
        let failed = 0;
        for (const file of args) {
          try {
            const document = await hearth.documents.add({ path: file }, flags.collection);
            console.log(`Added ${document.name} (${document.kind}${document.pages === null ? '' : `, ${document.pages} pages`})`);
          } catch (error) {
            failed++;
            console.error(`hearth: ${errorMessageOf(error)}`);
          }
        }
        const interactive = process.stderr.isTTY;
        const unsubscribe = hearth.events.subscribe((event) => {
          if (interactive && event.name === 'docs.progress' && event.payload.state === 'indexing') process.stderr.write(`\r${progressLine(event.payload)}\x1b[K`);
        });
        const cancel = () => hearth.documents.indexer.cancel();
        process.once('SIGINT', cancel);
        const done = await hearth.documents.indexer.idle();
        process.off('SIGINT', cancel);
        unsubscribe();
        if (interactive) process.stderr.write('\n');
        if (done.state === 'failed') throw new Error(`Indexing failed: ${done.error}`);
        if (done.state === 'cancelled') console.log('Indexing stopped; it resumes the next time Hearth starts.');
        else if (done.embeddingModel === null) console.log('Indexed for keyword search (no embedding model is set: --embedding-model NAME picks one from the models folder).');
        else console.log(`Indexed with ${done.embeddingModel}: ${done.chunks.done} chunks${done.chunksPerSecond === null ? '' : ` at ${done.chunksPerSecond.toFixed(1)} chunks/s`}.`);
        if (failed > 0) process.exitCode = 1;
      });
    case 'list':
      return withHearth(paths, async (hearth) => {
        const collections = hearth.history.documents.collections();
        const documents = hearth.documents.list();
        if (flags.json) {
          console.log(JSON.stringify({ collections, documents }, null, 2));
          return;
        }
        if (documents.length === 0) console.log('No documents yet: hearth docs add <files…> [--collection NAME].');
        const nameOf = new Map(collections.map((collection) => [collection.id, collection.name]));
        for (const document of documents) {
          const where = document.collectionId === null ? '' : `  [${nameOf.get(document.collectionId)}]`;
          console.log(`${document.id}  ${document.name}  (${document.kind}, ${document.chunks} chunks, ${document.embeddedChunks} embedded)${where}`);
        }
      });
    case 'search': {
      const query = args.join(' ').trim();
      if (!query) throw new Error('hearth docs search needs the text to look for');
      return withHearth(paths, async (hearth) => {
        const hits = await hearth.documents.search(query, hearth.documents.scope(collectionId(hearth, flags.collection)), 10);
        console.log(flags.json ? JSON.stringify(hits, null, 2) : hitLines(hits));
      });
    }
    case 'bench': {
      // A developer command (npm run bench): the figures on throwaway histories in the data folder given.
      const chunks = Number(args[0] ?? 100_000);
      if (!Number.isInteger(chunks) || chunks < 1) throw new Error('hearth docs bench [chunks] takes a whole number of chunks');
      const result = await benchmarkDocuments(paths, { embeddingModel: flags['embedding-model'] ?? null, paragraphs: 400, chunks, dimension: 384, queries: 200 });
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    default:
      throw new Error('hearth docs needs one of: add <files…>, list, search <text>');
  }
}

/**
 * `hearth chat --docs NAME --model F "question"`: the question with the collection's best-matching text
 * (as a conversation reading it gets), one reply streamed to stdout, then its sources.
 */
export async function chatWithDocsCommand(paths: HearthPaths, flags: ChatFlags & { docs: string }, question: string, contextSize?: number): Promise<void> {
  if (!question) throw new Error('hearth chat needs the question text');
  if (!flags.model) throw new Error('This command needs --model <file.gguf>');
  const settings = { ...settingsFromFlags(flags), contextSize: contextSize ?? null };
  await withHearth(paths, async (hearth) => {
    const id = collectionId(hearth, flags.docs)!;
    const stop = new AbortController();
    const abort = () => stop.abort();
    process.once('SIGINT', abort);
    try {
      const backend = new LocalBackend(hearth.engine, new FileModels(hearth.engine, resolve(flags.model!), null), 'chat');
      const prepared = await backend.prepare(basename(flags.model!), settings);
      const session = hearth.engine.loaded!;
      const budget = Math.min(hearth.documents.settings().contextTokens, Math.floor(session.info.contextSize / 2));
      const context = await hearth.documents.contextForDocuments(hearth.documents.scope(id) ?? [], question, budget, (text) => session.model.tokenize(text, false).length);
      const printer = replyPrinter(process.stdout, process.stderr, flags['hide-thinking'] === true);
      const reply = await prepared.generate(
        { systemPrompt: flags.system ?? '', turns: [{ role: 'user', content: withDocuments(question, context) }], settings, onDelta: (delta, _tokens, segment) => printer.delta(delta, segment) },
        stop.signal
      );
      printer.end();
      console.log(context.sources.length === 0 ? '\nSources: none found in the collection.' : `\nSources:\n${context.sources.map(sourceLine).join('\n')}`);
      console.error(`${formatReplyStats(reply.metrics)} · ${reply.metrics.promptTokens} prompt tokens`);
    } finally {
      process.off('SIGINT', abort);
    }
  });
}
