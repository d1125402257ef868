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
    }
  }
});

let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof HTMLAnchorElement) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    // A code block scrolls sideways: in the Tab order, its arrow keys scroll it.
    if (node.nodeName === 'PRE') node.setAttribute('tabindex', '0');
  });
}

const purifyConfig = {
  FORBID_TAGS: ['style', 'img', 'svg', 'math', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'video', 'audio'],
  FORBID_ATTR: ['style'],
  ALLOW_DATA_ATTR: false
};

/** Markdown → sanitized HTML string: marked (raw HTML escaped, code highlighted), then DOMPurify. */
export function renderMarkdown(source: string): string {
  installHooks();
  const html = marked.parse(source, { async: false });
  return DOMPurify.sanitize(html, purifyConfig);
}

/**
 * Where a growing reply can be cut so that what comes before no longer changes as text arrives: the
 * last blank line outside a code fence. Only the text after it needs rendering again.
 */
export function settledPrefixLength(source: string): number {
  let cut = source.lastIndexOf('\n\n');
  while (cut > 0) {
    const fences = source.slice(0, cut).match(/^\s*(```|~~~)/gm)?.length ?? 0;
    if (fences % 2 === 0) return cut + 2;
    cut = source.lastIndexOf('\n\n', cut - 1);
  }
  return 0;
}
