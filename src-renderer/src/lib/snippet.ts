import { snippetMarkEnd, snippetMarkStart } from '$api/contract';

export interface SnippetPart {
  text: string;
  match: boolean;
}

/** Splits a search snippet ("…a \u0002match\u0003 here…") into plain and matched parts, to render as text nodes. */
export function parseSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let rest = snippet;
  while (rest.length > 0) {
    const start = rest.indexOf(snippetMarkStart);
    if (start === -1) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), match: false });
    const end = rest.indexOf(snippetMarkEnd, start + 1);
    const matched = end === -1 ? rest.slice(start + 1) : rest.slice(start + 1, end);
    if (matched) parts.push({ text: matched, match: true });
    rest = end === -1 ? '' : rest.slice(end + 1);
  }
  // Stray markers (an unmatched end marker) never reach the screen.
  return parts.map((part) => ({ ...part, text: part.text.replaceAll(snippetMarkStart, '').replaceAll(snippetMarkEnd, '') }));
}
