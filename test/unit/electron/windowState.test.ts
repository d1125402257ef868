import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultWindowState,
  fitToDisplays,
  readWindowState,
  saveWindowState,
  trackWindowState,
  windowStateFile,
  type Rectangle
} from '../../../src-main/electron/windowState';
import { FakeEmitter } from './fakes';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-window-state-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('reading and saving', () => {
  it('gives the defaults when nothing was saved', () => {
    expect(readWindowState(windowStateFile(dataDir))).toEqual(defaultWindowState);
  });

  it('reads back what it saved, creating the data folder if needed', () => {
    const file = windowStateFile(join(dataDir, 'not', 'yet', 'there'));
    const state = { x: -1200, y: 40, width: 1100, height: 750, maximized: true };
    saveWindowState(file, state);
    expect(readWindowState(file)).toEqual(state);
  });

  it.each([
    ['truncated JSON', '{"width": 10'],
    ['an empty file', ''],
    ['a wrong shape', JSON.stringify({ width: 'wide', height: 800, maximized: false })],
    ['a zero size', JSON.stringify({ width: 0, height: 800, maximized: false })],
    ['null', 'null']
  ])('gives the defaults for %s', (_label, content) => {
    const file = windowStateFile(dataDir);
    writeFileSync(file, content);
    expect(readWindowState(file)).toEqual(defaultWindowState);
  });

  it('hands out a fresh defaults object each time', () => {
    const state = readWindowState(windowStateFile(dataDir));
    state.width = 1;
    expect(readWindowState(windowStateFile(dataDir)).width).toBe(defaultWindowState.width);
  });

  it('warns instead of throwing when the state cannot be written', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const blocker = join(dataDir, 'a-file');
    writeFileSync(blocker, '');
    expect(() => saveWindowState(join(blocker, 'window-state.json'), defaultWindowState)).not.toThrow();
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});

const primary: Rectangle = { x: 0, y: 0, width: 1920, height: 1040 };
const leftOfPrimary: Rectangle = { x: -1280, y: 0, width: 1280, height: 984 };

describe('fitToDisplays', () => {
  it('keeps a window that is wholly on a display', () => {
    const state = { x: 100, y: 50, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(state, [primary, leftOfPrimary])).toEqual(state);
  });

  it('keeps a window on a secondary display left of the primary', () => {
    const state = { x: -1200, y: 10, width: 1000, height: 700, maximized: true };
    expect(fitToDisplays(state, [primary, leftOfPrimary])).toEqual(state);
  });

  it('moves a window left on a display since unplugged onto the primary one', () => {
    const state = { x: 4000, y: 300, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(state, [primary])).toEqual({ x: 720, y: 240, width: 1200, height: 800, maximized: false });
  });

  it('pulls a window straddling two displays wholly onto the one it overlaps most', () => {
    const mostlyOnPrimary = { x: -200, y: -50, width: 1000, height: 600, maximized: false };
    expect(fitToDisplays(mostlyOnPrimary, [primary, leftOfPrimary])).toEqual({ ...mostlyOnPrimary, x: 0, y: 0 });
    const mostlyOnTheLeft = { x: -900, y: 700, width: 1000, height: 600, maximized: false };
    expect(fitToDisplays(mostlyOnTheLeft, [primary, leftOfPrimary])).toEqual({ ...mostlyOnTheLeft, x: -1000, y: 384 });
  });

  it('pulls a window hanging off the bottom right back onto its display', () => {
    const state = { x: 1500, y: 900, width: 800, height: 600, maximized: false };
    expect(fitToDisplays(state, [primary])).toEqual({ ...state, x: 1120, y: 440 });
  });

  it('shrinks a window larger than its display', () => {
    const state = { x: 0, y: 0, width: 3000, height: 2000, maximized: false };
    expect(fitToDisplays(state, [primary])).toEqual({ x: 0, y: 0, width: 1920, height: 1040, maximized: false });
  });

  it('only shrinks a window that has no position yet, leaving Electron to centre it', () => {
    expect(fitToDisplays({ width: 1200, height: 800, maximized: false }, [{ x: 0, y: 0, width: 1024, height: 740 }])).toEqual({
      width: 1024,
      height: 740,
      maximized: false
    });
  });

  it('leaves the state alone when no display is known', () => {
    const state = { x: 5000, y: 5000, width: 800, height: 600, maximized: false };
    expect(fitToDisplays(state, [])).toEqual(state);
  });
});

describe('trackWindowState', () => {
  it('saves the normal bounds and the maximized flag when the window closes', () => {
    const file = windowStateFile(dataDir);
    const window = Object.assign(new FakeEmitter(), {
      getNormalBounds: () => ({ x: 30, y: 40, width: 1300, height: 900 }),
      isMaximized: () => true
    });
    trackWindowState(window, file);
    expect(readWindowState(file)).toEqual(defaultWindowState);
    window.emit('close');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 30, y: 40, width: 1300, height: 900, maximized: true });
  });
});
