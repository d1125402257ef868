// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src-renderer/src/lib/markdown';

/** The rendered reply as the page holds it. */
function render(source: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = renderMarkdown(source);
  return root;
}

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
    expect(boxes(render('- [ ] Parent\n\n  - [X] Child\n\n- [x] Second *one*'))).toEqual([
      { type: 'checkbox', disabled: true, checked: false, label: 'Parent' },
      { type: 'checkbox', disabled: true, checked: true, label: 'Child' },
      { type: 'checkbox', disabled: true, checked: true, label: 'Second one' }
    ]);
  });
});
