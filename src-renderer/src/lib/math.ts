import katex from 'katex';
import type { MarkedExtension, Tokens } from 'marked';

/**
 * TeX in replies, rendered by KaTeX. Nothing in the TeX may reach beyond the formula: `trust: false`
 * refuses \href, \url, \includegraphics and the \html… commands; maxSize and maxExpand keep a \rule or a
 * macro loop from stalling the page; an error is shown in place (`throwOnError: false`). `strict` only
 * concerns LaTeX compatibility (Unicode in math mode, say), whose warnings would just fill the console.
 */
const katexOptions = { trust: false, throwOnError: false, maxSize: 20, maxExpand: 500, strict: 'ignore' } as const;

interface Delimiter {
  open: string;
  close: string;
  display: boolean;
}

// `$$` before `$`: the first that opens is the one tried.
const delimiters: Delimiter[] = [
  { open: '$$', close: '$$', display: true },
  { open: '\\[', close: '\\]', display: true },
  { open: '\\(', close: '\\)', display: false },
  { open: '$', close: '$', display: false }
];

interface MathSpan {
  /** The length of the source it takes, delimiters included. */
  length: number;
  tex: string;
  display: boolean;
}

/** Where `close` first appears after `from`; an escaped character never closes (`\$` is a dollar sign in TeX). */
function closingIndex(src: string, from: number, close: string): number {
  for (let index = from; index < src.length; index++) {
    if (src.startsWith(close, index)) return index;
    if (src[index] === '\\') index++;
  }
  return -1;
}

/**
 * The formula at `from` in `src`, if one starts there. Like a paragraph, a formula never spans a blank
 * line, so an unclosed `$$` in a streaming reply stays text instead of taking in the rest. A single `$`
 * follows Pandoc's rules, which tell amounts of money apart: no space right inside either dollar, and no
 * digit right after the closing one ("$5 and $10" is not math).
 */
function mathAt(src: string, from = 0): MathSpan | null {
  const delimiter = delimiters.find((candidate) => src.startsWith(candidate.open, from));
  if (!delimiter) return null;
  const start = from + delimiter.open.length;
  const end = closingIndex(src, start, delimiter.close);
  if (end < 0) return null;
  const tex = src.slice(start, end);
  if (tex.trim() === '' || /\n[ \t]*\n/.test(tex)) return null;
  if (delimiter.open === '$' && (/^\s|\s$/.test(tex) || /\d/.test(src.charAt(end + 1)))) return null;
  return { length: end + delimiter.close.length - from, tex: tex.trim(), display: delimiter.display };
}

/** Display math on lines of its own: up to three spaces, the formula, then nothing but spaces to the end of its last line. */
function displayBlockAt(src: string, from = 0): { raw: string; tex: string } | null {
  const indent = /^ {0,3}/.exec(src.slice(from, from + 3))?.[0] ?? '';
  const span = mathAt(src, from + indent.length);
  if (!span?.display) return null;
  const end = from + indent.length + span.length;
  const after = /^[ \t]*(?:\n|$)/.exec(src.slice(end));
  return after ? { raw: src.slice(from, end + after[0].length), tex: span.tex } : null;
}

interface MathToken extends Tokens.Generic {
  tex: string;
  display: boolean;
}

/** KaTeX's inline styles travel in this attribute through the sanitizer (see markdown.ts), then into the CSSOM. */
export const katexStyleAttribute = 'data-katex-style';

function renderTex(token: Tokens.Generic): string {
  const { tex, display } = token as MathToken;
  // Even parsing a style attribute, as the sanitizer does, is refused (and logged) under the page's CSP.
  // KaTeX escapes its text and attribute values, so ` style="` in its output is always an attribute.
  return katex.renderToString(tex, { ...katexOptions, displayMode: display }).replaceAll(' style="', ` ${katexStyleAttribute}="`);
}

/**
 * marked's extension for math: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` displayed, on lines of their
 * own (a block, so that lines such as `+ b` or `= c` inside are not read as Markdown) or within a paragraph.
 * Code spans and code blocks are tokenized before it and keep their dollars.
 */
export const mathExtension: MarkedExtension = {
  extensions: [
    {
      name: 'mathBlock',
      level: 'block',
      // Only where a block really starts: a paragraph is cut short at the index given.
      start(src) {
        for (const match of src.matchAll(/^ {0,3}(?:\$\$|\\\[)/gm)) if (displayBlockAt(src, match.index)) return match.index;
      },
      tokenizer(src) {
        const block = displayBlockAt(src);
        return block ? { type: 'mathBlock', raw: block.raw, tex: block.tex, display: true } : undefined;
      },
      renderer: (token) => `${renderTex(token)}\n`
    },
    {
      name: 'math',
      level: 'inline',
      start: (src) => src.search(/\$|\\[([]/),
      tokenizer(src) {
        const span = mathAt(src);
        return span ? { type: 'math', raw: src.slice(0, span.length), tex: span.tex, display: span.display } : undefined;
      },
      renderer: renderTex
    }
  ],
  hooks: {
    // A `*` or `_` inside a formula is TeX, never the end of an emphasis opened before it. (Escapes, `\(` among
    // them, are masked already when this runs.)
    emStrongMask(src) {
      let masked = '';
      let done = 0;
      for (let index = src.indexOf('$'); index >= 0; index = src.indexOf('$', index + 1)) {
        const span = mathAt(src, index);
        if (!span) continue;
        masked += src.slice(done, index) + 'a'.repeat(span.length);
        done = index + span.length;
        index = done - 1;
      }
      return masked + src.slice(done);
    }
  }
};

/** Lengths, colours and `calc()` of lengths, as KaTeX writes them: nothing that could load or run anything. */
const declaration = String.raw`[a-z-]+\s*:\s*(?:[-\w.%# ]|calc\([-\w.%+ ]*\))+`;
const katexStyle = new RegExp(`^\\s*${declaration}(?:;\\s*${declaration})*;?\\s*$`);

/** Whether a style is KaTeX's (inside a formula or its error, its kind of value) and may stay. */
export function isKatexStyle(element: Element, value: string): boolean {
  return element.closest('.katex, .katex-error') !== null && katexStyle.test(value);
}

/**
 * Sets KaTeX's styles through the CSSOM, after the sanitized HTML is in the page: the CSP allows no
 * inline style attribute (`style-src 'self'`), but it does not restrict the CSSOM.
 */
export function applyKatexStyles(root: ParentNode): void {
  for (const element of Array.from(root.querySelectorAll<HTMLElement | SVGElement | MathMLElement>(`[${katexStyleAttribute}]`))) {
    element.style.cssText = element.getAttribute(katexStyleAttribute) ?? '';
    element.removeAttribute(katexStyleAttribute);
  }
}
