import { describe, expect, it } from 'vitest';
import { settledPrefixLength } from '../../src-renderer/src/lib/markdown';

describe('the settled part of a streaming reply', () => {
  it('ends after the last blank line', () => {
    const text = 'First paragraph.\n\nSecond one, still grow';
    expect(text.slice(0, settledPrefixLength(text))).toBe('First paragraph.\n\n');
    expect(settledPrefixLength('No blank line yet')).toBe(0);
  });

  it('never ends inside an open code fence', () => {
    const text = 'Intro.\n\n```js\nconst a = 1;\n\nconst b = 2;';
    expect(text.slice(0, settledPrefixLength(text))).toBe('Intro.\n\n');
    const closed = `${text}\n\`\`\`\n\nAfter the code`;
    expect(closed.slice(settledPrefixLength(closed))).toBe('After the code');
  });
});
