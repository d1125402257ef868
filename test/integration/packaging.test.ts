import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDir } from '../helpers/paths';

const root = resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const arch = process.arch;
/** This machine's llama.cpp builds that electron-builder.ts ships: the CPU one, and Vulkan on x64. */
const llamaBuilds = arch === 'x64' ? [`linux-${arch}`, `linux-${arch}-vulkan`] : [`linux-${arch}`];

/**
 * A stand-in for Electron's linux zip, unpacked (`electronDist` takes such a folder and copies it as it is;
 * app-builder-lib/out/electron/ElectronFramework.js): the `electron` executable, which electron-builder
 * renames to the app's executable, its LICENSE, which it moves to LICENSE.electron.txt, and `resources/`,
 * where app.asar goes. No Electron binary is downloaded or needed: the app is packed, never started.
 */
function standInElectron(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in for Electron\n');
  writeFileSync(join(dir, 'version'), `${electronVersion}\n`);
}

/** Every file under `dir`, relative to it with `/`, mapped to its size in bytes. */
function filesUnder(dir: string, prefix = ''): Map<string, number> {
  const files = new Map<string, number>();
  for (const entry of readdirSync(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry}` : entry;
    const stat = lstatSync(join(dir, path));
    if (stat.isDirectory()) for (const [file, size] of filesUnder(dir, path)) files.set(file, size);
    else files.set(path, stat.size);
  }
  return files;
}

type Manifest = { name: string; version: string; dependencies?: object; optionalDependencies?: object };

/**
 * The installed production dependency closure, as `name@version`: package.json's dependencies and, from
 * there, every dependency and installed optional dependency, resolved as Node resolves them (nearest
 * node_modules up). Versions, not folders: electron-builder lays the tree out again (hoisted its own way).
 */
function productionClosure(): Set<string> {
  const closure = new Set<string>();
  const seen = new Set<string>();
  const visit = (from: string, name: string) => {
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (existsSync(join(root, candidate, 'package.json'))) {
        if (seen.has(candidate)) return;
        seen.add(candidate);
        const pkg = JSON.parse(readFileSync(join(root, candidate, 'package.json'), 'utf8')) as Manifest;
        closure.add(`${pkg.name}@${pkg.version}`);
        for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(candidate, dep);
        return;
      }
      if (!dir) return; // an optional dependency npm did not install on this platform
    }
  };
  for (const name of Object.keys(manifest.dependencies)) visit('', name);
  return closure;
}

/** The node_modules package folders among packed paths (`node_modules/a/lib/x.js` → `node_modules/a`). */
function packagesAmong(paths: Iterable<string>): Set<string> {
  const packages = new Set<string>();
  for (const path of paths) {
    const match = /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/(?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(path);
    if (match) packages.add(match[1]);
  }
  return packages;
}

/**
 * Runs electron-builder with electron-builder.ts and `args` (targets, `--dir`) against the stand-in Electron
 * in `work`, output in `work`/dist, offline: test/helpers/no-network.mjs fails and logs any connection, and
 * the cache is empty, so a tool downloaded earlier on a developer's machine cannot hide that it needs one.
 */
function electronBuilder(work: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-builder/cli.js'), ...args, '--publish', 'never', `-c.electronDist=${join(work, 'electron')}`, `-c.electronVersion=${electronVersion}`, `-c.directories.output=${join(work, 'dist')}`],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(join(root, 'test/helpers/no-network.mjs')).href}`, HEARTH_NETWORK_LOG: join(work, 'network.log'), ELECTRON_BUILDER_CACHE: join(work, 'cache') }
    }
  );
}

const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
const sum = (sizes: Iterable<number>) => [...sizes].reduce((total, size) => total + size, 0);

// Linux only: the stand-in has the layout of Electron's Linux zip. On macOS and Windows electron-builder
// edits Electron itself (the app bundle's plists and helpers, the executable's resources), which a stand-in cannot take.
describe.skipIf(process.platform !== 'linux')('packaging dry run: electron-builder --dir with electron-builder.ts, against a stand-in Electron', () => {
  let work: ReturnType<typeof temporaryDir>;
  let resources: string;
  let networkLog: string;
  let build: SpawnSyncReturns<string>;
  let packed: string[];
  let unpacked: Map<string, number>;

  beforeAll(() => {
    if (!existsSync(join(root, 'out/main/index.js'))) throw new Error('out/ is missing: run `npm run build` first (npm test does)');
    work = temporaryDir('hearth-packaging-');
    resources = join(work.path, 'dist', arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`, 'resources');
    networkLog = join(work.path, 'network.log');
    standInElectron(join(work.path, 'electron'));
    writeFileSync(networkLog, '');
    build = electronBuilder(work.path, ['--dir', '--linux', `--${arch}`]);
    packed = build.status === 0 ? listPackage(join(resources, 'app.asar'), { isPack: false }).map((path) => path.replace(/^[/\\]/, '').replaceAll('\\', '/')) : [];
    unpacked = build.status === 0 ? filesUnder(join(resources, 'app.asar.unpacked')) : new Map();
  }, 150_000);
  afterAll(() => work?.remove());

  it('builds offline: no connection attempted, nothing downloaded', () => {
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(readFileSync(networkLog, 'utf8'), 'electron-builder tried to connect to').toBe('');
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/download/i);
  });

  it('packs only the build output, package.json and node_modules: no sources, tests, CI, scripts, reports or docs', () => {
    expect(new Set(packed.map((path) => path.split('/')[0]))).toEqual(new Set(['node_modules', 'out', 'package.json']));
    for (const file of ['out/main/index.js', 'out/preload/preload.cjs', 'out/renderer/index.html']) expect(packed).toContain(file);
  });

  it('packs production dependencies only: every package is in the dependency closure, no devDependency', () => {
    const closure = productionClosure();
    const packages = [...packagesAmong(packed)].map((folder) => JSON.parse(extractFile(join(resources, 'app.asar'), `${folder}/package.json`).toString('utf8')) as Manifest);
    const names = new Set(packages.map((pkg) => pkg.name));
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`).filter((pkg) => !closure.has(pkg))).toEqual([]);
    for (const name of ['node-llama-cpp', 'better-sqlite3', 'systeminformation', 'zod']) expect(names).toContain(name);
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => ![...closure].some((pkg) => pkg.startsWith(`${name}@`)));
    expect(devOnly).toEqual(expect.arrayContaining(['electron', 'electron-builder', 'vite', 'svelte', '@playwright/test', 'vitest', 'typescript']));
    expect(devOnly.filter((name) => names.has(name))).toEqual([]);
  });

  it(`ships this machine's llama.cpp builds only (${llamaBuilds.join(', ')}), unpacked; no other architecture, no CUDA`, () => {
    const llama = (paths: Iterable<string>) => new Set([...packagesAmong(paths)].filter((pkg) => pkg.startsWith('node_modules/@node-llama-cpp/')));
    expect(llama(unpacked.keys())).toEqual(new Set(llamaBuilds.map((name) => `node_modules/@node-llama-cpp/${name}`)));
    expect(llama(packed)).toEqual(llama(unpacked.keys()));
    for (const name of llamaBuilds) expect(unpacked.get(`node_modules/@node-llama-cpp/${name}/bins/${name}/llama-addon.node`)).toBeGreaterThan(0);
    const shipped = (path: string) => llamaBuilds.some((name) => `${path}/`.startsWith(`node_modules/@node-llama-cpp/${name}/`));
    expect([...packed, ...unpacked.keys()].filter((path) => path.startsWith('node_modules/@node-llama-cpp/') && !shipped(path))).toEqual([]);
    expect(packed).not.toContain('node_modules/node-llama-cpp/llama/gitRelease.bundle');
  });

  it(`ships better-sqlite3's ${process.platform}-${arch} prebuild only, unpacked, and none of its sources`, () => {
    const prebuild = `node_modules/better-sqlite3/prebuilds/${process.platform}-${arch}.node`;
    expect(packed.filter((path) => path.startsWith('node_modules/better-sqlite3/prebuilds/') && path.endsWith('.node'))).toEqual([prebuild]);
    expect(statFile(join(resources, 'app.asar'), prebuild)).toMatchObject({ unpacked: true });
    expect(unpacked.get(prebuild)).toBeGreaterThan(1_000_000);
    expect(packed.filter((path) => /^node_modules\/better-sqlite3\/(deps|src|build)\//.test(path))).toEqual([]);
  });

  it(`ships sqlite-vec's ${process.platform}-${arch} extension unpacked, where SQLite can load it (the history opens with it)`, () => {
    const extension = `node_modules/sqlite-vec-${process.platform}-${arch}/vec0.so`;
    expect(statFile(join(resources, 'app.asar'), extension)).toMatchObject({ unpacked: true });
    expect(unpacked.get(extension)).toBeGreaterThan(100_000);
  });

  it('refuses a target whose llama.cpp binaries npm cannot install here (another OS), before copying anything', () => {
    const windows = electronBuilder(work.path, ['--dir', '--win', '--x64']);
    expect(windows.status).not.toBe(0);
    expect(windows.stdout + windows.stderr).toContain('Hearth cannot be packaged for win32-x64 on linux');
    expect(existsSync(join(work.path, 'dist', 'win-unpacked'))).toBe(false);
  });

  it('records the payload size, and keeps it under 160 MB (one CUDA build alone is 180)', () => {
    const asar = lstatSync(join(resources, 'app.asar')).size;
    const nativeCode = sum(unpacked.values());
    const electronStandIn = sum(filesUnder(join(work.path, 'electron')).values());
    const payload = sum(filesUnder(join(resources, '..')).values()) - electronStandIn;
    console.log(`packaging: app.asar ${megabytes(asar)} MB, app.asar.unpacked ${megabytes(nativeCode)} MB, payload without Electron ${megabytes(payload)} MB`);
    expect(payload).toBeLessThan(160e6);
  });
});
