/**
 * Hearth's built-in demo model: a tiny llama that Hearth writes itself, so a fresh offline install can
 * chat at once. It is a chain model (see chainModel.ts), not a trained one: the reply's pieces are
 * unique tokens in the vocabulary, so the chain never branches and every reply is `demoReply`
 * followed by end of sequence.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { demoModelFileName, listModels } from './library';
import { spmSpace, writeChainModel } from './chainModel';

/** Each piece becomes one vocabulary token; a repeated word is merged with a neighbour to stay unique. */
const replyPieces = [
  'Hello!', ' I am', " Hearth's", ' built-in', ' demo', ' model.', ' I can', ' only', ' say', ' this', ' sentence:',
  ' open', ' the', ' Models', ' view', ' to', ' download', ' a', ' real', ' model', ' that', ' fits', ' your', ' machine.'
];

export const demoReply = replyPieces.join('');

const roleMarkers = ['<|system|>', '<|user|>', '<|assistant|>'];
const pieceTokens = replyPieces.map((piece) => piece.replaceAll(' ', spmSpace));

// Each message ends with EOS, so node-llama-cpp learns that EOS ends a model turn; the prompt ends on
// the bare assistant marker, the one token that decides the first reply token.
const chatTemplate =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/** Writes the demo model; the bytes depend on nothing but this file, so every install gets the same model. */
export function writeDemoModel(path: string): void {
  writeChainModel(path, {
    name: 'Hearth Demo',
    description: `Built into Hearth; it only ever replies: ${demoReply}`,
    architecture: 'llama',
    controlTokens: roleMarkers,
    // A lone space is a token too: without it a space in the user's text falls back to the bytes of U+2581.
    pieces: [spmSpace, ...pieceTokens],
    // Whatever ends the prompt (the assistant marker in a chat, any token in a plain-text continuation)
    // starts the reply, so the model says its sentence in every mode; its last piece leads to EOS.
    next: Object.fromEntries(pieceTokens.map((piece, index) => [piece, pieceTokens[index + 1] ?? '</s>'])),
    otherwise: pieceTokens[0],
    eos: '</s>',
    chatTemplate
  });
}

/**
 * On first run (no .gguf in the models folder at all) writes the demo model there and returns its
 * path; otherwise returns null. An existing file is never replaced, and a half-written one never
 * carries the .gguf name: the model is written under a temporary name and then linked into place.
 */
export async function ensureDemoModel(modelsDir: string): Promise<string | null> {
  if ((await listModels(modelsDir)).length > 0) return null;
  await mkdir(modelsDir, { recursive: true });
  const path = join(modelsDir, demoModelFileName);
  const temporary = join(modelsDir, `.${demoModelFileName}.${process.pid}.tmp`);
  writeDemoModel(temporary);
  try {
    // link() fails rather than overwrite; a filesystem without hard links gets an exclusive copy.
    await link(temporary, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw error;
      return copyFile(temporary, path, constants.COPYFILE_EXCL);
    });
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
