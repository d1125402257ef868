/**
 * Stop strings, matched by Hearth on the generated text rather than on tokens: a stop string may span
 * tokens, contain spaces or start inside a token, and the reply is exactly the text before it (a
 * stopping token's leading space stays). node-llama-cpp's stop triggers match token by token and lose
 * all three, so every reply path (the chat, `hearth chat`, /v1 chat and completions, beam search) uses this.
 */

/** The earliest occurrence of any stop string in `text` (at one position, the one listed first), or null. */
export function firstStop(text: string, stops: readonly string[]): { index: number; stop: string } | null {
  let found: { index: number; stop: string } | null = null;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index !== -1 && (found === null || index < found.index)) found = { index, stop };
  }
  return found;
}

/**
 * A streaming reply's stop strings: text goes in as it is generated; out comes what can be shown now —
 * everything but a tail that could still grow into a stop string — so that what is streamed adds up to
 * exactly the whole reply's text.
 */
export class StopMatcher {
  private held = '';
  /** The stop string that ended the reply, once one has. */
  stop: string | null = null;

  constructor(private readonly stops: readonly string[]) {}

  /** Adds generated text; returns the text that may be released (after a stop: nothing more, ever). */
  push(text: string): string {
    if (this.stop !== null) return '';
    const buffer = this.held + text;
    const found = firstStop(buffer, this.stops);
    if (found) {
      this.stop = found.stop;
      this.held = '';
      return buffer.slice(0, found.index);
    }
    const keep = this.partialTail(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /** At the end of a reply that no stop string ended: the tail that was held back. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return this.stop === null ? rest : '';
  }

  /** The length of the longest end of `text` that is the beginning of a stop string. */
  private partialTail(text: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
        if (stop.startsWith(text.slice(text.length - length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
