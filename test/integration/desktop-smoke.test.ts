/**
 * The desktop app end to end without an Electron binary (none can be downloaded here): the real main
 * bundle, preload bundle and renderer, with `electron` replaced by a stand-in backed by Chromium
 * (test/desktop/). One chat on stories260K goes through the window and the preload bridge. The same run
 * with a preload built as an ES module, or exposing the wrong API, must fail: those broke the real window
 * while every unit test passed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { stories260K, temporaryDir } from '../helpers/paths';

const repoRoot = resolve(__dirname, '../..');

interface HarnessResult {
  windowOpened: boolean;
  bridge: string[] | null;
  cspBlockedInlineScript: boolean | null;
  reply: string | null;
  secretsNote: string | null;
  error: string | null;
  invocations: number;
  pushes: number;
  errorBoxes: string[];
  privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean> }>;
}

const dir = temporaryDir('hearth-desktop-');
afterAll(() => dir.remove());

/** Runs the harness in its own process (it replaces `electron` process-wide) on fresh data and models folders. */
function runDesktop(name: string, preload?: string): HarnessResult {
  const dataDir = join(dir.path, name, 'data');
  const modelsDir = join(dir.path, name, 'models');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(modelsDir, { recursive: true });
  copyFileSync(stories260K, join(modelsDir, 'stories260K.gguf'));
  const run = spawnSync(process.execPath, [join(repoRoot, 'test/desktop/harness.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 150_000,
    env: {
      ...process.env,
      HEARTH_DATA_DIR: dataDir,
      HEARTH_MODELS_DIR: modelsDir,
      HEARTH_THREADS: '1',
      HEARTH_GPU: 'cpu',
      ...(preload ? { HEARTH_STANDIN_PRELOAD: preload } : {})
    }
  });
  const line = run.stdout.split('\n').find((candidate) => candidate.startsWith('HARNESS '));
  if (!line) throw new Error(`the harness printed no result (exit ${run.status}, ${run.signal ?? 'no signal'}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line.slice('HARNESS '.length)) as HarnessResult;
}

describe('the desktop app with a stand-in Electron', () => {
  it('opens its window on hearth://, applies the CSP there, and sends a chat over the preload bridge', () => {
    const result = runDesktop('real');
    expect(result.error).toBeNull();
    expect(result.errorBoxes).toEqual([]);
    expect(result.privilegedSchemes).toEqual([{ scheme: 'hearth', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(result.bridge).toEqual(['call', 'onEvent', 'onMenuCommand', 'pathForFile']);
    expect(result.cspBlockedInlineScript).toBe(true);
    expect(result.reply).toContain('there was a little girl named Lily');
    // Every method call and every streamed token went through IPC, not the HTTP fallback.
    expect(result.invocations).toBeGreaterThan(5);
    expect(result.pushes).toBeGreaterThan(5);
    // The stand-in's safeStorage reports basic_text: Settings must say secrets stay in memory.
    expect(result.secretsNote).toMatch(/^Kept in memory only\. No system keychain was found/);
  }, 180_000);

  it('fails when the preload is built as an ES module', async () => {
    const outDir = join(dir.path, 'esm-preload');
    await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        outDir,
        minify: false,
        lib: { entry: join(repoRoot, 'src-main/electron/preload.ts'), formats: ['es'], fileName: () => 'preload.mjs' },
        rollupOptions: { external: ['electron'] }
      }
    });
    const preload = join(outDir, 'preload.mjs');
    expect(readFileSync(preload, 'utf8')).toMatch(/^import .* from "electron"/m);
    const result = runDesktop('esm', preload);
    expect(result.bridge).toBeNull();
    expect(result.reply).toBeNull();
    expect(result.error).not.toBeNull();
    expect(result.invocations).toBe(0);
  }, 180_000);

  it('fails when the preload exposes the wrong API', () => {
    const source = readFileSync(join(repoRoot, 'out/preload/preload.cjs'), 'utf8');
    expect(source).toContain('exposeInMainWorld("hearth"');
    const preload = join(dir.path, 'wrong-api.cjs');
    writeFileSync(preload, source.replace('exposeInMainWorld("hearth"', 'exposeInMainWorld("hearthApi"'));
    const result = runDesktop('wrong-api', preload);
    expect(result.bridge).toBeNull();
    expect(result.reply).toBeNull();
    expect(result.error).not.toBeNull();
  }, 180_000);
});
