/**
 * `hearth start` never fails silently: an Electron that dies before its window opens (the SUID-sandbox
 * check on Ubuntu 23.10+, a missing system library) is reported with its reason and browser mode is
 * served instead. Stand-in Electron binaries (shell scripts named by HEARTH_ELECTRON) die the way real
 * ones do.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { desktopOpenLine } from '../../src-main/electron/startup';
import { temporaryDir } from '../helpers/paths';
import { builtCli, killed, startServerProcess } from '../helpers/server-process';

const dir = temporaryDir('hearth-start-');
afterAll(() => dir.remove());

function standInElectron(name: string, body: string): string {
  const path = join(dir.path, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function folders(name: string): string[] {
  const dataDir = join(dir.path, name, 'data');
  const modelsDir = join(dir.path, name, 'models');
  mkdirSync(modelsDir, { recursive: true });
  return ['--data-dir', dataDir, '--models-dir', modelsDir];
}

const sandboxAbort =
  "[4011:1130/120000.000000:FATAL:sandbox/linux/suid/client/setuid_sandbox_host.cc:166] The SUID sandbox helper binary was found, but is not configured correctly. Rather than run without sandboxing I'm aborting now.";

describe('hearth start with an Electron that cannot start', () => {
  it('reports a death by signal with its reason and serves browser mode', async () => {
    const electron = standInElectron('sandbox', `echo "${sandboxAbort}" >&2\nkill -TRAP $$`);
    const server = await startServerProcess(folders('sandbox'), { HEARTH_ELECTRON: electron, DISPLAY: ':99' }, 'start');
    try {
      const output = server.output();
      expect(output).toMatch(/Hearth cannot open its desktop window: Electron was killed by SIGTRAP \(signal 5\) before its window opened/);
      expect(output).toMatch(/Chromium's sandbox cannot start/);
      expect(output).toContain('Electron said: "[4011:1130/120000.000000:FATAL');
      expect(output).toMatch(/Serving browser mode instead/);
      expect(await server.call('app.info')).toMatchObject({ name: 'Hearth' });
    } finally {
      await killed(server.child);
    }
  }, 60_000);

  it('reports a missing system library from the exit code and stderr', async () => {
    const electron = standInElectron('libraries', 'echo "electron: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory" >&2\nexit 127');
    const server = await startServerProcess(folders('libraries'), { HEARTH_ELECTRON: electron, DISPLAY: ':99' }, 'start');
    try {
      expect(server.output()).toMatch(/Electron exited with code 127 before its window opened; a system library Electron needs is missing; Electron said: "electron: error while loading shared libraries: libnss3\.so/);
    } finally {
      await killed(server.child);
    }
  }, 60_000);

  it('says why when the named Electron does not exist', async () => {
    const server = await startServerProcess(folders('absent'), { HEARTH_ELECTRON: join(dir.path, 'no-such-electron'), DISPLAY: ':99' }, 'start');
    try {
      expect(server.output()).toMatch(/HEARTH_ELECTRON names .*no-such-electron, which does not exist\. Serving browser mode instead/);
    } finally {
      await killed(server.child);
    }
  }, 60_000);

  it('does not fall back once the window has opened: the desktop app ran and ended', () => {
    const electron = standInElectron('opened', `echo "${desktopOpenLine}"\nexit 0`);
    const run = spawnSync(process.execPath, [builtCli, 'start', '--port', '0', ...folders('opened')], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, HEARTH_ELECTRON: electron, DISPLAY: ':99' }
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(desktopOpenLine);
    expect(run.stdout).not.toMatch(/browser mode/);
  }, 60_000);
});
