import { extname } from 'node:path';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { ApiError, errorMessageOf, type DocumentKind } from '../api';
import { htmlBlocks, markdownBlocks, plainBlocks, type Block } from './blocks';

/** A document's text, as blocks with their page and headings, and its page count (PDF only). */
export interface ExtractedDocument {
  kind: DocumentKind;
  pages: number | null;
  blocks: Block[];
}

/** What a file may be: larger files and PDFs with more pages are refused before their text is read. */
export interface ExtractionLimits {
  maxFileBytes: number;
  maxPages: number;
}

const codeExtensions = new Set(
  'c cc cpp cs css cxx go h hpp java js jsx json jsonc kt kts lua m mjs cjs php pl ps1 py r rb rs scala scss sh bash zsh sql svelte swift toml ts tsx vue xml yaml yml ini cfg conf dockerfile makefile cmake gradle tex bib'.split(' ')
);
const kindsByExtension: Record<string, DocumentKind> = { txt: 'text', text: 'text', log: 'text', csv: 'text', tsv: 'text', rst: 'text', md: 'markdown', markdown: 'markdown', mdx: 'markdown', html: 'html', htm: 'html', xhtml: 'html', pdf: 'pdf', docx: 'docx' };

/** The kind a file name says (its extension); null for an extension Hearth does not read. */
export function kindOfName(name: string): DocumentKind | null {
  const extension = extname(name).slice(1).toLowerCase() || name.toLowerCase();
  return kindsByExtension[extension] ?? (codeExtensions.has(extension) ? 'code' : null);
}

/** A file size for a message: KiB under a MiB, else MiB. */
export function fileSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The refusal of a file over the size limit (checked before reading a file, and again on its bytes). */
export function tooLarge(name: string, bytes: number, maxFileBytes: number): ApiError {
  return new ApiError('TOO_LARGE', `${name} is ${fileSize(bytes)}; documents may be at most ${fileSize(maxFileBytes)} (Settings → Documents).`);
}

function refused(name: string, why: string): ApiError {
  return new ApiError('IMPORT_INVALID', `${name} cannot be read: ${why}`);
}

/** UTF-8 text, or null for bytes that are not (a NUL byte or invalid UTF-8 means a binary file). */
function utf8(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  } catch {
    return null;
  }
}

/**
 * Reads the text of a file's bytes: plain text, Markdown, code, HTML (text only), PDF (unpdf, pdf.js's
 * serverless build; no OCR) or DOCX (mammoth). The kind comes from the name and is checked against the
 * content (a PDF starts with `%PDF-`, a DOCX is a ZIP archive). Throws ApiError TOO_LARGE over the limits,
 * IMPORT_INVALID for a type Hearth does not read, content that is not what its name says, a PDF that is
 * encrypted or has no text layer (scanned pages), or a file with no text at all; each message says why.
 */
export async function extractDocument(name: string, bytes: Uint8Array, limits: ExtractionLimits): Promise<ExtractedDocument> {
  if (bytes.length > limits.maxFileBytes) {
    throw tooLarge(name, bytes.length, limits.maxFileBytes);
  }
  const kind = kindOfName(name);
  let extracted: ExtractedDocument;
  if (kind === 'pdf') extracted = await pdf(name, bytes, limits.maxPages);
  else if (kind === 'docx') extracted = await docx(name, bytes);
  else {
    const text = utf8(bytes);
    if (text === null) throw refused(name, kind === null ? 'Hearth reads text, Markdown, code, HTML, PDF and DOCX files, and this is none of them.' : 'it is not UTF-8 text.');
    if (kind === null && !name.includes('.')) throw refused(name, 'it has no extension to say what it is (.txt, .md, .pdf, .docx, …).');
    const textKind = kind ?? 'text';
    const blocks = textKind === 'markdown' ? markdownBlocks(text) : textKind === 'html' ? htmlBlocks(text) : plainBlocks(text);
    extracted = { kind: textKind, pages: null, blocks };
  }
  if (extracted.blocks.length === 0) throw refused(name, 'it holds no text.');
  return extracted;
}

async function pdf(name: string, bytes: Uint8Array, maxPages: number): Promise<ExtractedDocument> {
  if (!Buffer.from(bytes.subarray(0, 1024)).toString('latin1').includes('%PDF-')) throw refused(name, 'it is named .pdf but is not a PDF.');
  let pages: string[];
  let total: number;
  try {
    // pdf.js takes the buffer over (detaches it): it gets a copy, so the caller's bytes stay readable.
    const document = await getDocumentProxy(new Uint8Array(bytes));
    total = document.numPages;
    if (total > maxPages) throw new ApiError('TOO_LARGE', `${name} has ${total} pages; documents may have at most ${maxPages} (Settings → Documents).`);
    pages = (await extractText(document, { mergePages: false })).text;
    await document.loadingTask.destroy();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof Error && error.name === 'PasswordException') throw refused(name, 'it is encrypted with a password. Save a copy without the password and add that.');
    throw refused(name, `it is not a readable PDF (${errorMessageOf(error)}).`);
  }
  const blocks = pages.flatMap((text, index) => plainBlocks(text.replace(/\r\n?/g, '\n'), index + 1));
  if (blocks.length === 0) {
    throw refused(name, `none of its ${total} ${total === 1 ? 'page has' : 'pages have'} a text layer: it looks scanned. Hearth reads text, not images (no OCR); run it through OCR first.`);
  }
  return { kind: 'pdf', pages: total, blocks };
}

async function docx(name: string, bytes: Uint8Array): Promise<ExtractedDocument> {
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw refused(name, 'it is named .docx but is not a Word document (a .doc from before 2007 must be saved as .docx).');
  try {
    // Through HTML, so its headings become the heading path; mammoth never runs or fetches what the file links.
    const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
    return { kind: 'docx', pages: null, blocks: htmlBlocks(value) };
  } catch (error) {
    throw refused(name, `it is not a readable Word document (${errorMessageOf(error)}).`);
  }
}
