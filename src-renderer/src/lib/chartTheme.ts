import type { Axis } from 'uplot';

/** The colours a chart draws with, read from the app's CSS variables so light and dark both work. */
export interface ChartColours {
  text: string;
  grid: string;
  /** One per series, in order; charts with more series than colours start again. */
  series: string[];
}

const seriesVariables = ['--accent', '--seg-weights', '--seg-kv', '--seg-buffers', '--info', '--ok', '--danger'];

/** A canvas cannot use var(--x): the theme's current values are read from the document. */
export function readChartColours(element: Element): ChartColours {
  const style = getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return { text: read('--text-muted'), grid: read('--border'), series: seriesVariables.map(read) };
}

export function seriesColour(colours: ChartColours, index: number): string {
  return colours.series[index % colours.series.length];
}

/** An axis in the theme's colours; `axis` adds or overrides the rest. */
export function themedAxis(colours: ChartColours, axis: Axis = {}): Axis {
  return {
    stroke: colours.text,
    grid: { stroke: colours.grid, width: 1 },
    ticks: { stroke: colours.grid, width: 1 },
    ...axis
  };
}
