/** Svelte options for the renderer (found by vite-plugin-svelte from the renderer root). */
/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  // Runes everywhere: no legacy `export let` / `$:` components.
  compilerOptions: { runes: true }
};
