// Renders build/icon.svg, the one committed icon, into what electron-builder takes for each OS, in the
// git-ignored build/icons/: png/<N>x<N>.png (Linux: the freedesktop sizes, and 1024 as the master),
// icon.icns (macOS) and icon.ico (Windows). Pure JS and wasm (resvg, png2icons): no network, no
// native tool, and electron-builder never needs its own icon converter, which it would download.
// `npm run package` runs it; `node scripts/icons.mjs` alone takes about a second.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg, initWasm } from '@resvg/resvg-wasm';
import png2icons from 'png2icons';

const require = createRequire(import.meta.url);
const source = new URL('../build/icon.svg', import.meta.url);
const outDir = new URL('../build/icons/', import.meta.url);
const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
const svg = readFileSync(source, 'utf8');
const render = (size) => Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng());

rmSync(outDir, { recursive: true, force: true });
mkdirSync(new URL('png/', outDir), { recursive: true });
for (const size of linuxSizes) writeFileSync(new URL(`png/${size}x${size}.png`, outDir), render(size));

// png2icons scales the 1024 master down to every size each format holds; lossless (0 colours = all).
const master = render(1024);
const icns = png2icons.createICNS(master, png2icons.BICUBIC, 0);
// forWinExe: PNG chunks from 64 px up, BMP below, as the Windows file-properties dialog wants them.
const ico = png2icons.createICO(master, png2icons.BICUBIC, 0, false, true);
if (!icns || !ico) throw new Error('icons: png2icons could not convert build/icon.svg (see its log above)');
writeFileSync(new URL('icon.icns', outDir), icns);
writeFileSync(new URL('icon.ico', outDir), ico);
console.log(`icons: build/icons/ has png/ (${linuxSizes.join(', ')} px), icon.icns and icon.ico`);
