import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Arch, type Configuration } from 'electron-builder';
import { updateFeed } from './src-main/app/updatePolicy';

/**
 * How Hearth becomes installers (`npm run package`; README "Install" says what ships and why).
 *
 * The app is the electron-vite build (out/) and package.json; electron-builder adds the production
 * dependency closure from node_modules itself and applies the `!` patterns below to it. Native code is
 * Node-API and prebuilt, so nothing is rebuilt; the excludes keep only the target's own binaries. The
 * icons come from `npm run icons` (build/icons/), already in each OS's format, so electron-builder
 * converts nothing (its converter would be downloaded).
 *
 * `${os}` (linux, mac, win) and `${arch}` (x64, arm64, …) are electron-builder's macros, expanded for each
 * target; node-llama-cpp names its packages the same way. `${platform}` is the packaging machine's
 * process.platform: {@link packagesOnlyWhatItHas} refuses any other target OS, so it is the target's too.
 * All patterns stay in the one top-level `files`: a platform section's own `files` becomes a second file
 * set that electron-builder copies on its own, and one holding only excludes copies the whole project.
 */

/**
 * node-llama-cpp's llama.cpp builds that ship: the CPU one, Vulkan (x64 Linux and Windows) and Metal
 * (Apple silicon, where it is the only build; Intel Macs have the CPU one). CUDA (`-cuda`, `-cuda-ext`,
 * 180–360 MB each) is left out: on NVIDIA cards the Vulkan build offloads to the GPU.
 */
const llamaBuilds = ['${os}-${arch}', '${os}-${arch}-vulkan', '${os}-${arch}-metal'];

// electron-builder's index does not re-export the hook's context type (app-builder-lib's BeforePackContext).
type BeforePackContext = Parameters<Exclude<Configuration['beforePack'], string | null | undefined>>[0];

const osNames: Record<string, string> = { darwin: 'macOS', linux: 'Linux', win32: 'Windows' };

/**
 * Fails the packaging of a target this machine cannot fill: another OS (npm installs node-llama-cpp's
 * binaries for this OS only), or an architecture whose llama.cpp build npm did not install here (npm
 * takes a package's `cpu` field at its word: node-llama-cpp lets x64 Linux install the arm64 builds,
 * not an Apple-silicon Mac the x64 one). Without this the installer would be made, without llama.cpp.
 * @throws Error naming the target and what to do instead.
 */
function packagesOnlyWhatItHas(context: BeforePackContext): void {
  const target = `${context.electronPlatformName}-${Arch[context.arch]}`;
  if (context.electronPlatformName !== process.platform) {
    const name = osNames[context.electronPlatformName] ?? context.electronPlatformName;
    throw new Error(`Hearth cannot be packaged for ${target} on ${process.platform}: npm installs node-llama-cpp's llama.cpp binaries for this OS only. Package on ${name}.`);
  }
  const os = context.packager.platform.buildConfigurationKey;
  const arch = Arch[context.arch];
  const baseBuilds = [`${os}-${arch}`, `${os}-${arch}-metal`];
  const modules = join(context.packager.info.appDir, 'node_modules', '@node-llama-cpp');
  if (!baseBuilds.some((name) => existsSync(join(modules, name)))) {
    // npm names architectures as process.arch does: Electron's armv7l is its arm.
    const npmCpu = arch === 'armv7l' ? 'arm' : arch;
    throw new Error(`Hearth cannot be packaged for ${target}: node_modules has no @node-llama-cpp/${baseBuilds[0]} (npm skipped it on this ${process.arch} machine). Run \`npm ci --cpu=${npmCpu}\` first (npm then installs that architecture's builds instead of this one's), or package on a machine of that architecture.`);
  }
}

const config: Configuration = {
  appId: 'app.hearth.desktop',
  productName: 'Hearth',
  executableName: 'hearth',
  directories: { output: 'dist', buildResources: 'build' },
  files: [
    'out/**/*',
    `!node_modules/@node-llama-cpp/!(${llamaBuilds.join('|')}){,/**}`,
    // The llama.cpp source bundle (34 MB) serves only to compile from source, which a packaged app never does.
    '!node_modules/node-llama-cpp/llama/gitRelease.bundle',
    // better-sqlite3's SQLite and C++ sources serve only node-gyp; its prebuilds are the binaries.
    '!node_modules/better-sqlite3/{deps,src,build,binding.gyp}{,/**}',
    '!node_modules/better-sqlite3/prebuilds/!(${platform}-${arch}).node'
  ],
  // Native code must sit outside app.asar to be loaded: node-llama-cpp looks for its binaries in
  // app.asar.unpacked (its Electron guide unpacks the whole packages), better-sqlite3's addon is dlopen'ed,
  // and SQLite loads sqlite-vec's extension with its own dlopen, which cannot read inside an archive.
  asarUnpack: ['node_modules/@node-llama-cpp/**', 'node_modules/better-sqlite3/prebuilds/*.node', 'node_modules/sqlite-vec-*/**'],
  npmRebuild: false,
  beforePack: packagesOnlyWhatItHas,
  // Written into the app as app-update.yml: where electron-updater looks for releases (Settings → Updates).
  publish: { ...updateFeed },
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] }
    ],
    icon: 'build/icons/png',
    category: 'Utility'
  },
  mac: {
    target: [
      { target: 'dmg', arch: ['arm64', 'x64'] },
      { target: 'zip', arch: ['arm64', 'x64'] }
    ],
    icon: 'build/icons/icon.icns',
    category: 'public.app-category.productivity'
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64', 'arm64'] }],
    icon: 'build/icons/icon.ico'
  }
};

export default config;
