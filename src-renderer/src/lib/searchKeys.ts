import { openSearchHit } from './actions';
import { search } from './app';
import { focusElement, messageInputId, searchInputId } from './ui.svelte';

/**
 * The search box and its results work as a combobox and its list: ↑/↓ choose a hit (Home/End too, in
 * the list; in the box they move the cursor), Enter opens the chosen one (else the first) and puts the
 * cursor in the message box, Esc clears the search and returns to the box.
 */
export function onSearchKeydown(event: KeyboardEvent, inList: boolean): void {
  const hits = search.hits.length > 0;
  if (hits && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
    search.move(event.key === 'ArrowDown' ? 1 : -1);
  } else if (hits && inList && (event.key === 'Home' || event.key === 'End')) {
    search.select(event.key === 'Home' ? 0 : search.hits.length - 1);
  } else if (hits && event.key === 'Enter') {
    void openSearchHit(search.selectedHit ?? search.hits[0]).then(() => focusElement(messageInputId));
  } else if (event.key === 'Escape' && search.query) {
    search.clear();
    focusElement(searchInputId);
  } else {
    return;
  }
  event.preventDefault();
}
