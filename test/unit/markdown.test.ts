import { describe, expect, it } from 'vitest';
import { settledPrefixLength } from '../../src-renderer/src/lib/markdown';

/** The part of a growing reply that is rendered again as text arrives. */
const tail = (text: string) => text.slice(settledPrefixLength(text));
const settled = (text: string) => text.slice(0, settledPrefixLength(text));

describe('the settled part of a streaming reply', () => {
  it('ends after the last blank line', () => {
    const text = 'First paragraph.\n\nSecond one, still grow';
    expect(settled(text)).toBe('First paragraph.\n\n');
    expect(settledPrefixLength('No blank line yet')).toBe(0);
  });

  it('never ends inside an open code fence', () => {
    const text = 'Intro.\n\n```js\nconst a = 1;\n\nconst b = 2;';
    expect(settled(text)).toBe('Intro.\n\n');
    const closed = `${text}\n\`\`\`\n\nAfter the code`;
    expect(tail(closed)).toBe('After the code');
  });
});

describe('code fences, as CommonMark reads them, while a reply streams', () => {
  const fences = ['`', '~'].flatMap((char) => [3, 4, 5, 6].map((length) => char.repeat(length)));

  it.each(fences)('%s: open until a fence of the same character and at least its length, without an info string', (fence) => {
    const other = (fence[0] === '`' ? '~' : '`').repeat(fence.length);
    let text = `Intro.\n\n${fence}python title="a.py"\na = 1\n\nb = 2`;
    // None of these closes it: the other character, shorter, with an info string, indented four spaces.
    for (const line of [other, fence.slice(1), `${fence}js`, `    ${fence}`]) {
      text += `\n${line}\n\nstill code`;
      expect(settled(text), line).toBe('Intro.\n\n');
    }
    // Longer, indented up to three spaces, with trailing spaces: closed.
    expect(tail(`${text}\n   ${fence}${fence[0]}  \n\nAfter the code`)).toBe('After the code');
  });

  it('keeps a shorter fence inside a longer one as code, blank lines and all', () => {
    const outer = '````markdown\nUse a fence:\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\nDone.';
    expect(settled(`Intro.\n\n${outer}`)).toBe('Intro.\n\n');
    expect(tail(`Intro.\n\n${outer}\n${'`'.repeat(4)}\n\nAfter`)).toBe('After');
    const tildes = '~~~~~\n~~~\nnot closed\n\n~~~~\nnor here\n\n~~~~~~\n\nAfter';
    expect(tail(tildes)).toBe('After');
  });

  it('does not take a line of backticks with a backtick in its info string for a fence', () => {
    expect(tail('```a`b``` is inline code.\n\nNext')).toBe('Next');
    expect(settled('Intro.\n\n~~~a`b\ncode\n\nmore')).toBe('Intro.\n\n');
  });

  it('takes a line indented four spaces for indented code, not a fence', () => {
    expect(tail('    ```\n    code\n\nNext')).toBe('Next');
    expect(settled('Intro.\n\n   ```\ncode\n\nmore')).toBe('Intro.\n\n');
  });

  it('reads a fence in a list item relative to the item, and ends it with the item (or the block quote)', () => {
    const step = '1. Install it:\n\n   ```sh\n   npm i\n\n   npm test\n   ```\n\nAfter';
    expect(tail(step)).toBe('After');
    const nested = '- a\n  - b\n\n    ```\n    x\n\n    y\n    ```\n\nAfter';
    expect(tail(nested)).toBe('After');
    expect(settled('- a\n  - b\n\n    ```\n    x\n\n    y')).toBe('- a\n  - b\n\n');
    expect(tail('- ```\n  x\n\n  y\n  ```\n\nAfter')).toBe('After');
    // Left open, it ends with its item, or its quote.
    expect(tail('- a\n\n  ```\n  x\n\nOut of the list\n\nMore')).toBe('More');
    expect(tail('> ```\n> a\n>\n> b\n\nOut of the quote\n\nMore')).toBe('More');
  });
});
