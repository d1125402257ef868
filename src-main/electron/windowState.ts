/**
 * Remembers the main window's size, position and maximized state between runs, in a small JSON
 * file in the data folder. Reading never fails: a missing or damaged file gives the defaults.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A position is absent until the window has been placed once; Electron then centres it. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const defaultWindowState: WindowState = { width: 1200, height: 800, maximized: false };

export function windowStateFile(dataDir: string): string {
  return join(dataDir, 'window-state.json');
}

const storedStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean()
});

export function readWindowState(file: string): WindowState {
  try {
    const parsed = storedStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : { ...defaultWindowState };
  } catch {
    return { ...defaultWindowState };
  }
}

/** Written to a temporary file and renamed, so a crash mid-write leaves the previous state intact. */
export function saveWindowState(file: string, state: WindowState): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, file);
  } catch (error) {
    console.warn('[hearth] could not save the window state:', error);
  }
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * Fits a remembered state onto the displays present now (their work areas, primary first): a
 * window left on a display since unplugged, or hanging off an edge, moves wholly onto the display
 * it overlaps most, or onto the primary one, and shrinks to fit it.
 */
export function fitToDisplays(state: WindowState, workAreas: Rectangle[]): WindowState {
  const primary = workAreas[0];
  if (!primary) return state;
  if (state.x === undefined || state.y === undefined) {
    return { width: Math.min(state.width, primary.width), height: Math.min(state.height, primary.height), maximized: state.maximized };
  }
  const window: Rectangle = { x: state.x, y: state.y, width: state.width, height: state.height };
  let target = primary;
  let bestOverlap = 0;
  for (const area of workAreas) {
    const overlap = overlapArea(window, area);
    if (overlap > bestOverlap) [target, bestOverlap] = [area, overlap];
  }
  const width = Math.min(state.width, target.width);
  const height = Math.min(state.height, target.height);
  return {
    x: clamp(state.x, target.x, target.x + target.width - width),
    y: clamp(state.y, target.y, target.y + target.height - height),
    width,
    height,
    maximized: state.maximized
  };
}

/** The part of a BrowserWindow whose state is remembered. */
export interface TrackedWindow {
  on(event: 'close', listener: () => void): unknown;
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
}

/** Saves when the window closes; the normal bounds are what a maximized window restores to. */
export function trackWindowState(window: TrackedWindow, file: string): void {
  window.on('close', () => {
    saveWindowState(file, { ...window.getNormalBounds(), maximized: window.isMaximized() });
  });
}
