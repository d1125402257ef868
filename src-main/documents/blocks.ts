import { Parser } from 'htmlparser2';

/**
 * A paragraph of a document (or a code block, a list item, a table row) with where it sits: the PDF page
 * (1-based; null for kinds without pages) and the headings above it, outermost first. Extraction makes
 * these; the chunker packs them into chunks that never cross a page or a heading.
 */
export interface Block {
  text: string;
  page: number | null;
  headings: string[];
}

/** Paragraphs of plain text or code: runs of lines between blank lines, as they were (code keeps its indentation). */
export function plainBlocks(text: string, page: number | null = null): Block[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((part) => part.replace(/^\n+|\s+$/g, ''))
    .filter((part) => part.trim() !== '')
    .map((part) => ({ text: part, page, headings: [] }));
}

/**
 * Markdown read for its structure, not rendered: ATX headings (`#` to `######`) set the heading path,
 * fenced code stays one block (a `#` inside it is code, not a heading), everything else is paragraphs.
 */
export function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const headings: string[] = [];
  let lines: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const paragraph = lines.join('\n').replace(/^\n+|\s+$/g, '');
    if (paragraph.trim() !== '') blocks.push({ text: paragraph, page: null, headings: [...headings] });
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      lines.push(line);
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) {
        fence = null;
        flush();
      }
      continue;
    }
    if (fenceMark) {
      flush();
      fence = fenceMark;
      lines.push(line);
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      headings.length = Math.min(headings.length, heading[1].length - 1);
      while (headings.length < heading[1].length - 1) headings.push('');
      headings.push(heading[2]);
      continue;
    }
    if (line.trim() === '') flush();
    else lines.push(line);
  }
  flush();
  // Levels skipped in the file (a `###` under a `#`) leave no empty names in the path.
  return blocks.map((block) => ({ ...block, headings: block.headings.filter(Boolean) }));
}

/** Elements whose text is never content: scripts, styles, and what a browser would not show. */
const hiddenElements = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'svg', 'math', 'iframe', 'object', 'canvas', 'select']);
const blockElements = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'details', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer', 'form', 'header',
  'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'td', 'th', 'tr', 'ul'
]);

/**
 * The text of an HTML page (or of a DOCX, which mammoth turns into HTML), never rendered: htmlparser2
 * reads the markup as tokens, so nothing in it runs or loads. `h1`–`h6` set the heading path; block
 * elements end a paragraph; entities are decoded; hidden elements are skipped.
 */
export function htmlBlocks(html: string): Block[] {
  const blocks: Block[] = [];
  const headings: string[] = [];
  let text = '';
  let headingLevel = 0;
  let headingText = '';
  let hidden = 0;
  let preformatted = 0;
  const flush = () => {
    const paragraph = preformatted > 0 ? text.replace(/^\n+|\s+$/g, '') : text.replace(/\s+/g, ' ').trim();
    if (paragraph !== '') blocks.push({ text: paragraph, page: null, headings: [...headings] });
    text = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (hiddenElements.has(name)) hidden++;
        else if (/^h[1-6]$/.test(name)) {
          flush();
          headingLevel = Number(name[1]);
          headingText = '';
        } else if (blockElements.has(name)) {
          flush();
          if (name === 'pre') preformatted++;
        }
      },
      ontext(data) {
        if (hidden > 0) return;
        if (headingLevel > 0) headingText += data;
        else text += data;
      },
      onclosetag(name) {
        if (hiddenElements.has(name)) hidden = Math.max(0, hidden - 1);
        else if (/^h[1-6]$/.test(name) && headingLevel > 0) {
          headings.length = Math.min(headings.length, headingLevel - 1);
          const title = headingText.replace(/\s+/g, ' ').trim();
          if (title) headings.push(title);
          headingLevel = 0;
        } else if (blockElements.has(name)) {
          flush();
          if (name === 'pre') preformatted = Math.max(0, preformatted - 1);
        }
      }
    },
    { decodeEntities: true, lowerCaseTags: true }
  );
  parser.write(html);
  parser.end();
  flush();
  return blocks;
}
