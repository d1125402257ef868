import { describe, expect, it } from 'vitest';
import { tokenLabel } from '../../../src-renderer/src/lib/playground.svelte';

describe('a token as the Playground shows it', () => {
  it('names a byte-fallback token by its byte, as llama.cpp does, whatever its partial text', () => {
    expect(tokenLabel({ id: 243, text: '\uFFFD', byte: 0xf0 })).toBe('<0xF0>');
    expect(tokenLabel({ id: 162, text: '', byte: 0x9f })).toBe('<0x9F>');
    expect(tokenLabel({ id: 13, text: '\n', byte: 0x0a })).toBe('<0x0A>');
  });

  it('draws the spaces and line breaks of other tokens', () => {
    expect(tokenLabel({ id: 410, text: ' a\n\t' })).toBe('·a↵→');
  });
});
