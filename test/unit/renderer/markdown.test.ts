// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown, settledPrefixLength } from '../../../src-renderer/src/lib/markdown';
import { applyKatexStyles } from '../../../src-renderer/src/lib/math';

/** The rendered reply as the page holds it. */
function render(source: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = renderMarkdown(source);
  return root;
}

/** The TeX of each formula, in order, as KaTeX keeps it for screen readers and copying. */
const formulas = (root: HTMLElement) => [...root.querySelectorAll('.katex annotation')].map((node) => node.textContent);

/** Elements matching `selector` that KaTeX did not make. */
const outsideMath = (root: HTMLElement, selector: string) => [...root.querySelectorAll(selector)].filter((node) => !node.closest('.katex'));

describe('math in replies', () => {
  it('renders $…$ inline and $$…$$ on lines of its own as display math', () => {
    const root = render('Euler: $e^{i\\pi} + 1 = 0$.\n\n$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n\nDone.');
    expect(formulas(root)).toEqual(['e^{i\\pi} + 1 = 0', '\\int_0^1 x\\,dx = \\frac{1}{2}']);
    expect(root.querySelectorAll('.katex-display')).toHaveLength(1);
    expect(root.textContent).not.toContain('$');
  });

  it('renders \\(…\\) and \\[…\\] as models write them, and $$…$$ within a sentence', () => {
    const root = render('Inline \\(a^2\\), display \\[b^2\\] and $$c^2$$ in a sentence.\n\n\\[\n\\sum_i i\n\\]');
    expect(formulas(root)).toEqual(['a^2', 'b^2', 'c^2', '\\sum_i i']);
    expect(root.querySelectorAll('.katex-display')).toHaveLength(3);
  });

  it('leaves amounts of money alone: no space inside the dollars, and no digit right after the closing one', () => {
    const root = render('It costs $5 and $10, or $1,000 to $2,000; from $5-$10. But $x^2$ is math.');
    expect(formulas(root)).toEqual(['x^2']);
    expect(root.textContent).toContain('It costs $5 and $10, or $1,000 to $2,000; from $5-$10. But');
  });

  it('takes an escaped dollar for a dollar, outside math and in it', () => {
    const root = render('\\$x\\$ is text; $y$ is not, nor $a \\$ b$.');
    expect(formulas(root)).toEqual(['y', 'a \\$ b']);
    expect(root.textContent).toContain('$x$ is text');
  });

  it('leaves math in code spans and code blocks as code', () => {
    const root = render('`$x$` and\n\n```\n$$y$$\n\\(z\\)\n```\n\n~~~~\n$v$\n~~~~\n\nbut $w$');
    expect(formulas(root)).toEqual(['w']);
    expect([...root.querySelectorAll('code')].map((code) => code.textContent)).toEqual(['$x$', '$$y$$\n\\(z\\)', '$v$']);
  });

  it('keeps a formula’s * and _ out of the emphasis around it', () => {
    const emphasis = render('*Note: $a*b$ and $x_1$ hold*').querySelector('em');
    expect(emphasis && formulas(emphasis)).toEqual(['a*b', 'x_1']);
  });

  it('hands KaTeX’s layout to the CSSOM, since the CSP refuses style attributes (even as the sanitizer parses them)', () => {
    expect(renderMarkdown('$\\frac{a}{b}$')).not.toMatch(/\sstyle=/);
    const root = render('$\\frac{a}{b}$');
    expect(root.querySelectorAll('[data-katex-style]').length).toBeGreaterThan(0);
    applyKatexStyles(root);
    expect(root.querySelectorAll('[data-katex-style]')).toHaveLength(0);
    expect(root.querySelector<HTMLElement>('.katex-strut')?.style.height).toMatch(/^[\d.]+em$/);
  });

  it('shows an unclosed $$ as text while a reply streams, and renders what follows it', () => {
    const streaming = '$$\n\\int_0^1 x\n\nAfter **bold** and $y$.';
    for (const root of [render(streaming), render(streaming.slice(0, settledPrefixLength(streaming))), render(streaming.slice(settledPrefixLength(streaming)))]) {
      expect(root.querySelectorAll('.katex-error')).toHaveLength(0);
    }
    const root = render(streaming);
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(formulas(root)).toEqual(['y']);
    expect(root.textContent).toContain('$$');
    // A blank line ends display math, as it ends a paragraph.
    expect(formulas(render('$$\na\n\nb\n$$ and $c$'))).toEqual(['c']);
  });

  it('shows TeX that does not parse as KaTeX’s error, in place', () => {
    const root = render('Before $\\frac{1}{$ after, and $\\def\\a{\\a\\a}\\a$.');
    expect([...root.querySelectorAll('.katex-error')].map((error) => error.getAttribute('data-katex-style'))).toEqual(['color:#cc0000', 'color:#cc0000']);
    expect(root.textContent).toContain('after, and');
  });

  it('lets nothing from the model run: no links, no HTML, no sizes beyond the limit', () => {
    const root = render(
      [
        '$\\href{javascript:alert(1)}{x}$ $\\url{javascript:alert(2)}$ $<img src=x onerror=alert(3)>$',
        '$\\htmlClass{x}{y}$ $\\htmlStyle{position:fixed}{z}$ $\\htmlData{a=b}{w}$ $\\includegraphics{x.png}$',
        '$\\rule{1000em}{1000em}$ $x$ <svg onload=alert(4)><math><mi>x</mi></math>'
      ].join('\n\n')
    );
    expect(formulas(root)).toHaveLength(9);
    expect(root.querySelectorAll('a, img, script, style, foreignObject, annotation-xml')).toHaveLength(0);
    const attributes = [...root.querySelectorAll('*')].flatMap((node) => [...node.attributes]);
    expect(attributes.filter((attribute) => /^on|^href$|^src$|^id$|^style$/i.test(attribute.name))).toEqual([]);
    expect(attributes.filter((attribute) => /javascript:|1000em|position/i.test(attribute.value))).toEqual([]);
    // SVG and MathML only as KaTeX draws them; the model's own are text.
    expect(outsideMath(root, 'svg, math')).toEqual([]);
    expect(root.textContent).toContain('<svg onload=alert(4)><math><mi>x</mi></math>');
  });

  it('renders a streaming reply as it will look when done, at every length', () => {
    const reply = [
      'Intro with $x^2$.',
      '',
      '````markdown',
      'Use a fence:',
      '',
      '```js',
      'const a = 1;',
      '',
      'const b = 2;',
      '```',
      '',
      'Done.',
      '````',
      '',
      '~~~',
      'tilde code',
      '',
      'still code',
      '~~~',
      '',
      '$$',
      '\\frac{1}{2}',
      '$$',
      '',
      'The end.'
    ].join('\n');
    for (let length = 1; length <= reply.length; length++) {
      const text = reply.slice(0, length);
      const cut = settledPrefixLength(text);
      expect(renderMarkdown(text.slice(0, cut)) + renderMarkdown(text.slice(cut)), text).toBe(renderMarkdown(text));
    }
  });
});

describe('task lists', () => {
  const boxes = (root: HTMLElement) =>
    [...root.querySelectorAll('input')].map((input) => ({
      type: input.type,
      disabled: input.disabled,
      checked: input.checked,
      label: input.closest('label')?.textContent?.trim()
    }));

  it('show each item’s state as a disabled checkbox, labelled by the item’s text', () => {
    expect(boxes(render('- [x] Buy milk\n- [ ] Call **Bob**'))).toEqual([
      { type: 'checkbox', disabled: true, checked: true, label: 'Buy milk' },
      { type: 'checkbox', disabled: true, checked: false, label: 'Call Bob' }
    ]);
  });

  it('keep their state in loose and nested lists, each label its own item’s', () => {
    expect(boxes(render('- [ ] Parent\n\n  - [X] Child\n\n- [x] Second $n$'))).toEqual([
      { type: 'checkbox', disabled: true, checked: false, label: 'Parent' },
      { type: 'checkbox', disabled: true, checked: true, label: 'Child' },
      { type: 'checkbox', disabled: true, checked: true, label: expect.stringMatching(/^Second/) }
    ]);
  });
});
