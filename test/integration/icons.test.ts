import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../electron-builder';

const root = resolve(__dirname, '../..');

/** The entry types of an ICNS file (`ic07` 128 px … `ic10` 1024 px), after checking its header. */
function icnsEntries(icns: Buffer): string[] {
  expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
  expect(icns.readUInt32BE(4)).toBe(icns.length);
  const entries: string[] = [];
  for (let offset = 8; offset < icns.length; offset += icns.readUInt32BE(offset + 4)) entries.push(icns.subarray(offset, offset + 4).toString('latin1'));
  return entries;
}

/** The pixel widths of an ICO file's images (a width byte of 0 means 256), after checking its header. */
function icoWidths(ico: Buffer): number[] {
  expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
  return Array.from({ length: ico.readUInt16LE(4) }, (_, index) => ico[6 + index * 16] || 256);
}

describe('icons: scripts/icons.mjs turns build/icon.svg into what electron-builder.ts points at', () => {
  execFileSync(process.execPath, [join(root, 'scripts/icons.mjs')], { cwd: root });

  it('renders the Linux PNG set, 16 to 1024 px, each the size its name says', () => {
    expect(config.linux?.icon).toBe('build/icons/png');
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      const png = readFileSync(join(root, config.linux?.icon ?? '', `${size}x${size}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });

  it('writes an ICNS for macOS with the 128 to 1024 px images', () => {
    expect(icnsEntries(readFileSync(join(root, config.mac?.icon ?? '')))).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10']));
  });

  it('writes an ICO for Windows up to the 256 px that electron-builder requires', () => {
    expect(icoWidths(readFileSync(join(root, config.win?.icon ?? '')))).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });
});
