#!/usr/bin/env node
// Entry point for `hearth` and the npm scripts. In a checkout it builds first when the build is
// missing or older than the sources, so `npm start` and `npm run serve` work on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// better-sqlite3's Node-API build needs Node 22 (see package.json "engines"); on older Node it crashes the process.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`hearth: Node.js 22.12 or newer is needed; this is ${process.version}. See README → Develop (\`source scripts/node22.sh\` gets it from the npm registry).`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtCli = join(root, 'out', 'main', 'cli.js');
const builtOutputs = [builtCli, join(root, 'out', 'renderer', 'index.html'), join(root, 'out', 'preload', 'preload.cjs')];
const sources = ['src-main', 'src-renderer', 'package.json', 'electron.vite.config.ts', 'renderer-alias.ts'].map((path) => join(root, path));

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), info.mtimeMs);
}

function buildIsStale() {
  if (!existsSync(join(root, 'src-main'))) return false;
  if (!builtOutputs.every(existsSync)) return true;
  const builtAt = Math.min(...builtOutputs.map((path) => statSync(path).mtimeMs));
  return sources.some((path) => newestChange(path) > builtAt);
}

if (buildIsStale()) {
  console.error('hearth: building the app first (npm run build)…');
  const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    console.error('hearth: the build failed; run `npm run build` to see why.');
    process.exit(1);
  }
}

const { main } = await import(pathToFileURL(builtCli).href);
await main(process.argv.slice(2)).catch((error) => {
  console.error(`hearth: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
