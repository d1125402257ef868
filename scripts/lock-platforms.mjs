// node-llama-cpp ships its llama.cpp binaries as one optional package per platform. A registry that
// lacks some of them (this project's mirror serves only the Linux ones) makes `npm install` leave
// them out of package-lock.json, and `npm ci` then refuses the lock. This adds the missing ones
// with their platform, so npm ci skips them on other platforms and fetches them where they belong.
// Idempotent; .ci/run runs it before `npm ci`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockFile = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
const platforms = { linux: 'linux', mac: 'darwin', win: 'win32' };

const parent = lock.packages['node_modules/node-llama-cpp'];
let added = 0;
for (const [name, version] of Object.entries(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [, platform, cpu] = /^@node-llama-cpp\/(linux|mac|win)-([a-z0-9]+)/.exec(name) ?? [];
  if (!platform) continue;
  lock.packages[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [platforms[platform]], engines: { node: '>=20.0.0' } };
  added++;
}
if (added > 0) {
  const entries = Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  lock.packages = Object.fromEntries(entries);
  writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`lock-platforms: ${added} platform package${added === 1 ? '' : 's'} added to package-lock.json`);
