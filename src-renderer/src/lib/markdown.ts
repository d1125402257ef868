import { Marked, type Tokens } from 'marked';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdownLang from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { isKatexStyle, katexStyleAttribute, mathExtension } from './math';

const languages = { bash, c, cpp, css, go, java, javascript, json, markdown: markdownLang, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, definition] of Object.entries(languages)) hljs.registerLanguage(name, definition);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function highlight(code: string, lang: string): string {
  if (lang && hljs.getLanguage(lang)) {
    try {
      return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    } catch {
      /* fall through to plain text */
    }
  }
  return escapeHtml(code);
}

const marked = new Marked({
  gfm: true,
  // Models use single newlines as line breaks; keep them.
  breaks: true,
  renderer: {
    // Raw HTML in a model's text is shown as text, never interpreted.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      const known = language && hljs.getLanguage(language) ? language : '';
      const label = `<span class="code-lang">${escapeHtml(language || 'code')}</span>`;
      const cls = known ? `hljs language-${escapeHtml(known)}` : 'hljs';
      // The Copy button is added after sanitizing (see Markdown.svelte), into the toolbar.
      return `<div class="code-block"><div class="code-toolbar">${label}</div><pre><code class="${cls}">${highlight(text, known)}</code></pre></div>\n`;
    },
    // Remote images would be network traffic the user did not start: show them as links instead.
    image({ href, text }: Tokens.Image): string {
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
    // A task's checkbox is labelled by its item's first paragraph or line, not by its sub-items.
    listitem(item: Tokens.ListItem): string | false {
      if (!item.task) return false;
      const [first, ...rest] = item.tokens;
      // Loose list: the checkbox opens the first paragraph. Tight list: the checkbox, then the first line's text.
      if (first?.type === 'paragraph') return `<li class="task"><p><label>${this.parser.parseInline(first.tokens ?? [])}</label></p>\n${this.parser.parse(rest)}</li>\n`;
      const [line, ...after] = rest;
      const [label, body] = line?.type === 'text' ? [[first, ...(line.tokens ?? [])], after] : [[first], rest];
      return `<li class="task"><label>${this.parser.parseInline(label)}</label>${this.parser.parse(body)}</li>\n`;
    }
  }
}, mathExtension);

const htmlNamespace = 'http://www.w3.org/1999/xhtml';

let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook('uponSanitizeElement', (node) => {
    // MathML and SVG only as KaTeX draws them.
    if (node instanceof Element && node.namespaceURI !== htmlNamespace && !node.closest('.katex')) node.remove();
  });
  DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName === katexStyleAttribute && isKatexStyle(node, data.attrValue)) data.forceKeepAttr = true;
  });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof HTMLAnchorElement) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    // The only input there is a task's checkbox: it shows a state and is never a control.
    if (node instanceof HTMLInputElement) {
      const checked = node.hasAttribute('checked');
      for (const { name } of Array.from(node.attributes)) node.removeAttribute(name);
      node.setAttribute('type', 'checkbox');
      node.setAttribute('disabled', '');
      if (checked) node.setAttribute('checked', '');
    }
    // A code block scrolls sideways: in the Tab order, its arrow keys scroll it.
    if (node.nodeName === 'PRE') node.setAttribute('tabindex', '0');
  });
}

const purifyConfig = {
  FORBID_TAGS: ['style', 'img', 'form', 'button', 'textarea', 'select', 'iframe', 'video', 'audio'],
  // KaTeX keeps a formula's TeX in MathML's <annotation> (text only, unlike <annotation-xml>).
  ADD_TAGS: ['semantics', 'annotation'],
  FORBID_ATTR: ['style'],
  ALLOW_DATA_ATTR: false
};

/**
 * Markdown → sanitized HTML string: marked (raw HTML escaped, code highlighted, math by KaTeX, task
 * checkboxes), then DOMPurify. KaTeX's styles come out as data for `applyKatexStyles`.
 */
export function renderMarkdown(source: string): string {
  installHooks();
  const html = marked.parse(source, { async: false });
  return DOMPurify.sanitize(html, purifyConfig);
}

interface OpenFence {
  char: string;
  length: number;
  /** The content column of the list item the fence is in (0 outside lists): its indentation counts from there. */
  base: number;
}

/** An opening fence (CommonMark): three or more backticks or tildes; a backtick fence's info string has no backtick. */
const fenceOpening = /^(?:(`{3,})[^`]*|(~{3,}).*)$/;
const listMarker = /^([-+*]|\d{1,9}[.)])(?:([ \t]+)(.*))?$/;

/** The width of a line's indentation in columns (a tab reaches the next multiple of four), and what follows it. */
function indentation(line: string): { width: number; rest: string } {
  let width = 0;
  let index = 0;
  for (; index < line.length && (line[index] === ' ' || line[index] === '\t'); index++) width = line[index] === '\t' ? width + 4 - (width % 4) : width + 1;
  return { width, rest: line.slice(index) };
}

function opensFence(rest: string, base: number): OpenFence | null {
  const match = fenceOpening.exec(rest);
  const run = match?.[1] ?? match?.[2];
  return run ? { char: run[0], length: run.length, base } : null;
}

function closesFence(fence: OpenFence, width: number, rest: string): boolean {
  const run = /^(`+|~+)[ \t]*$/.exec(rest)?.[1];
  return width - fence.base <= 3 && run !== undefined && run[0] === fence.char && run.length >= fence.length;
}

/**
 * Where a growing reply can be cut so that what comes before no longer changes as text arrives: the
 * last blank line outside a code fence. Only the text after it needs rendering again. Fences are read
 * as CommonMark reads them, in list items too (a blank line ends a block quote, so a fence in one never
 * holds a blank line).
 */
export function settledPrefixLength(source: string): number {
  let cut = 0;
  let offset = 0;
  let fence: OpenFence | null = null;
  let afterBlank = true;
  // The content columns of the list items open around the current line, innermost last.
  let items: number[] = [];
  // The last line may still be growing; a cut is only ever made after a whole line.
  for (const line of source.split('\n').slice(0, -1)) {
    offset += line.length + 1;
    if (line.trim() === '') {
      if (!fence) cut = offset;
      afterBlank = true;
      continue;
    }
    const { width, rest } = indentation(line);
    // A line less indented than the fence's list item ends the item, and the fence with it.
    if (fence && width >= fence.base) {
      if (closesFence(fence, width, rest)) fence = null;
      afterBlank = false;
      continue;
    }
    const enclosing = items.filter((column) => column <= width);
    const base = enclosing.at(-1) ?? 0;
    const marker = width - base <= 3 ? listMarker.exec(rest) : null;
    const opened = width - base <= 3 ? opensFence(rest, base) : null;
    // A paragraph's lazy continuation line stays in its item; anything else less indented leaves it.
    if (afterBlank || marker || opened) items = enclosing;
    if (marker) {
      const [, bullet, gap = '', content = ''] = marker;
      // Content indented five or more past the marker is indented code: it starts one column after the marker.
      const column = width + bullet.length + (content && gap.length <= 4 ? gap.length : 1);
      items.push(column);
      fence = opensFence(content, column);
    } else {
      fence = opened;
    }
    afterBlank = false;
  }
  return cut;
}
