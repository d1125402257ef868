import type { Download, ModelFile } from '../api';
import { createHearth } from '../app';
import { formatBytes } from '../catalog';
import { deleteModel, importModel, listModels } from '../models';
import type { HearthPaths } from '../paths';
import { hubFilesCommand, hubSearchCommand } from './hub';

function modelLine(model: ModelFile): string {
  const facts = [formatBytes(model.sizeBytes), model.quantization, model.architecture, model.parts > 1 ? `${model.parts} parts` : null, model.demo ? 'demo' : null].filter(Boolean).join(', ');
  return model.usable ? `${model.name}  (${facts})` : `${model.name}  UNUSABLE: ${model.problem}`;
}

function progressBar(download: Download, width = 30): string {
  const total = download.totalBytes ?? 0;
  const fraction = total > 0 ? Math.min(1, download.receivedBytes / total) : 0;
  const filled = Math.round(fraction * width);
  const speed = download.bytesPerSecond ? `${formatBytes(download.bytesPerSecond)}/s` : '';
  const eta = download.etaSeconds !== null && download.etaSeconds !== undefined ? `${Math.ceil(download.etaSeconds)} s left` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${formatBytes(download.receivedBytes)}/${total ? formatBytes(total) : '?'} ${speed} ${eta}`.trimEnd();
}

/** `hearth models list|search|files|pull|import|rm`, on the models folder the flags or environment name. */
export async function modelsCommand(
  paths: HearthPaths,
  action: string | undefined,
  argument: string | undefined,
  options: { json: boolean; link: boolean; sort?: string; contextSize?: number }
): Promise<void> {
  switch (action) {
    case 'search':
      return hubSearchCommand(paths, argument, { json: options.json, sort: options.sort });
    case 'files':
      return hubFilesCommand(paths, argument, { json: options.json, contextSize: options.contextSize });
    case 'list': {
      const models = await listModels(paths.modelsDir);
      if (options.json) console.log(JSON.stringify(models, null, 2));
      else console.log(models.length ? models.map(modelLine).join('\n') : `No models in ${paths.modelsDir}.`);
      return;
    }
    case 'import': {
      if (!argument) throw new Error('hearth models import needs a .gguf file');
      console.log(`Imported ${modelLine(await importModel(paths.modelsDir, argument, { link: options.link }))}`);
      return;
    }
    case 'rm': {
      if (!argument) throw new Error('hearth models rm needs a model name (see hearth models list)');
      const { freedBytes } = await deleteModel(paths.modelsDir, argument);
      console.log(`Deleted ${argument}, freeing ${formatBytes(freedBytes)}.`);
      return;
    }
    case 'pull':
      if (!argument) throw new Error('hearth models pull needs a source: hf:owner/repo/file.gguf, hf:owner/repo:Q4_K_M, catalog:id:Q4_K_M or an https URL');
      return pull(paths, argument);
    default:
      throw new Error('hearth models needs one of: list, search <text>, files <owner/repo>, pull <source>, import <file>, rm <name>');
  }
}

/** Downloads through the same queue as the app: a previous partial download of the same file resumes. */
async function pull(paths: HearthPaths, source: string): Promise<void> {
  const hearth = await createHearth(paths);
  const interactive = process.stderr.isTTY;
  try {
    const download = await hearth.downloads.start(source);
    const finished = new Promise<Download>((resolve) => {
      hearth.events.subscribe((event) => {
        if ((event.name !== 'downloads.progress' && event.name !== 'downloads.changed') || event.payload.id !== download.id) return;
        if (interactive) process.stderr.write(`\r${progressBar(event.payload)}\x1b[K`);
        if (['completed', 'failed', 'cancelled', 'paused'].includes(event.payload.status)) resolve(event.payload);
      });
    });
    const pause = () => void hearth.downloads.pause(download.id);
    process.once('SIGINT', pause);
    const result = await finished;
    process.off('SIGINT', pause);
    if (interactive) process.stderr.write('\n');
    if (result.status === 'completed') console.log(`Downloaded ${result.fileName} (${formatBytes(result.totalBytes ?? 0)}, SHA-256 ${result.sha256}${result.expectedSha256 ? ', matches the Hub' : ''}).`);
    else if (result.status === 'paused') console.log(`Paused ${result.fileName} at ${formatBytes(result.receivedBytes)}; run the same command to resume.`);
    else throw new Error(`${result.fileName}: ${result.error ?? result.status}`);
  } finally {
    await hearth.close();
  }
}
