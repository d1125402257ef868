// A classic script in <head>: it runs before the first paint, so the page never flashes the other theme.
// The key and the choice are lib/theme.svelte.ts's, which takes over once the app has started.
{
  const choice = localStorage.getItem('hearth-theme');
  const dark = choice === 'dark' || (choice !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
