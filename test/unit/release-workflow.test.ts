import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { updateFeed } from '../../src-main/app/updatePolicy';
import mainPlaywrightConfig from '../../playwright.config';
import releasePlaywrightConfig from '../release/playwright.config';
import { stories260K } from '../helpers/paths';

const root = resolve(__dirname, '../..');
const source = readFileSync(join(root, '.github/workflows/package.yml'), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface MatrixEntry {
  name: string;
  os: string;
  platform: 'win' | 'mac' | 'linux';
  arch: 'x64' | 'arm64';
}
interface Workflow {
  on: { push: { tags: string[] } };
  jobs: { package: { 'runs-on': string; permissions: Record<string, string>; env: Record<string, string>; strategy: { matrix: { include: MatrixEntry[] } }; steps: Step[] } };
}

const job = (parse(source) as Workflow).jobs.package;
const steps = job.steps;

/** The validator's errors, nested ones (each branch of a oneOf) included, one line each. */
function describeErrors(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const where = 'path' in error ? error.path : `line ${error.location?.line ?? '?'}`;
    const nested = 'states' in error ? (error.states ?? []).flatMap((state) => describeErrors(state.errors)) : [];
    return [`${where}: ${error.title}${error.detail ? ` (${error.detail})` : ''}`, ...nested];
  });
}

function stepIndex(predicate: (step: Step) => boolean, what: string): number {
  const index = steps.findIndex(predicate);
  expect(index, what).toBeGreaterThanOrEqual(0);
  return index;
}

/** Every string in the workflow with where it is, e.g. `jobs.package.steps.5.env.CSC_LINK`. */
function strings(value: unknown, path = ''): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => strings(child, path ? `${path}.${key}` : key));
}

/** GitHub's hosted runner labels used here and their CPUs; look a new label up before adding it. */
const runnerArch: Record<string, string> = { 'windows-latest': 'x64', 'macos-latest': 'arm64', 'macos-15-intel': 'x64', 'ubuntu-latest': 'x64' };
const runnerOs: Record<MatrixEntry['platform'], string> = { win: 'windows-', mac: 'macos-', linux: 'ubuntu-' };

describe('the release workflow (.github/workflows/package.yml)', () => {
  it('is a valid GitHub Actions workflow by the published JSON schema', () => {
    expect(describeErrors(validateWorkflow(source).errors)).toEqual([]);
  });

  it('would fail on a misspelled or misplaced key, a wrong type, or broken YAML', () => {
    const broken = [
      ['    runs-on: ${{ matrix.os }}', '    runs_on: ${{ matrix.os }}'],
      ['    timeout-minutes: 60', '    timeout-minutes: an hour'],
      ['    strategy:', '    stratgy:'],
      ['      - name: Install\n        run: npm ci', '      - name: Install\n        runs: npm ci'],
      ['  package:\n', '  package:\n\t']
    ];
    for (const [from, to] of broken) {
      expect(source, `the workflow no longer contains ${JSON.stringify(from)}`).toContain(from);
      expect(validateWorkflow(source.replace(from, to)).errors.length, `${JSON.stringify(from)} → ${JSON.stringify(to)}`).toBeGreaterThan(0);
    }
  });

  it('packages on Windows, macOS on Apple silicon and on Intel, and Linux, each on a runner of the architecture it names', () => {
    const matrix = job.strategy.matrix.include;
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(matrix.map((entry) => `${entry.platform}-${entry.arch}`).sort()).toEqual(['linux-x64', 'mac-arm64', 'mac-x64', 'win-x64']);
    for (const entry of matrix) {
      expect(runnerArch[entry.os], `${entry.os} runs ${entry.arch}`).toBe(entry.arch);
      expect(entry.os.startsWith(runnerOs[entry.platform]), `${entry.os} is a ${entry.platform} runner`).toBe(true);
    }
    // And each job checks it, in case GitHub moves a label to other hardware.
    stepIndex((step) => step.run === 'test "$(node -p process.arch)" = "${{ matrix.arch }}"', 'the architecture check');
  });

  it('installs with npm ci on Node 22, builds, packages, keeps the installers, then tests the packaged app', () => {
    const setupNode = steps[stepIndex((step) => step.uses?.startsWith('actions/setup-node@') ?? false, 'setup-node')];
    expect(String(setupNode.with?.['node-version'])).toMatch(/^22(\.|$)/);
    const order = [
      stepIndex((step) => step.uses?.startsWith('actions/checkout@') ?? false, 'checkout'),
      stepIndex((step) => step === setupNode, 'setup-node'),
      stepIndex((step) => step.run === 'npm ci', 'npm ci'),
      stepIndex((step) => step.run === 'npm run build', 'build'),
      stepIndex((step) => step.run?.startsWith('npm run package') ?? false, 'package'),
      stepIndex((step) => step.with?.name === 'hearth-${{ matrix.platform }}-${{ matrix.arch }}', 'the installers kept'),
      stepIndex((step) => step.run?.includes('curl') ?? false, 'the model download'),
      stepIndex((step) => step.run?.includes('test/release/playwright.config.ts') ?? false, 'the packaged-app test')
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps the installers of every platform as artifacts, failing when there are none', () => {
    const upload = steps.find((step) => step.with?.name === 'hearth-${{ matrix.platform }}-${{ matrix.arch }}');
    expect(upload?.uses).toMatch(/^actions\/upload-artifact@v\d+$/);
    expect(String(upload?.with?.path).split('\n')).toEqual(expect.arrayContaining(['dist/*.exe', 'dist/*.dmg', 'dist/*.zip', 'dist/*.AppImage', 'dist/*.deb', 'dist/latest*.yml']));
    expect(upload?.with?.['if-no-files-found']).toBe('error');
    expect(upload?.if).toBeUndefined();
  });

  it('publishes to GitHub releases only on a v* tag, to the repository the app’s updater reads', () => {
    expect(job.permissions.contents).toBe('write');
    expect((parse(source) as Workflow).on.push.tags).toContain('v*');
    expect(job.env.PUBLISH).toBe("${{ startsWith(github.ref, 'refs/tags/v') && 'always' || 'never' }}");
    const packaging = steps.filter((step) => step.run?.startsWith('npm run package'));
    expect(packaging).toHaveLength(3);
    for (const step of packaging) {
      expect(step.run).toBe(`npm run package -- --publish "$PUBLISH" -c.publish.provider=${updateFeed.provider} -c.publish.owner=${updateFeed.owner} -c.publish.repo=${updateFeed.repo}`);
      // The token is handed over only when something is published.
      expect(step.env?.GH_TOKEN).toBe("${{ env.PUBLISH == 'always' && secrets.GITHUB_TOKEN || '' }}");
    }
  });

  it('signs only where the secrets exist, and gives each secret only to the step of its platform', () => {
    const uses = strings(parse(source)).filter(({ text }) => text.includes('secrets.'));
    for (const { path, text } of uses) {
      if (path === 'jobs.package.env.SIGNING') {
        // Whether to sign is read from a secret's presence, never its value.
        expect(text.match(/secrets\.\w+ != ''/g), text).toHaveLength(text.match(/secrets\./g)?.length ?? 0);
        continue;
      }
      const [, index] = /^jobs\.package\.steps\.(\d+)\.env\.\w+$/.exec(path) ?? [];
      expect(index, `${path} uses a secret outside a step's env`).toBeDefined();
      const step = steps[Number(index)];
      const conditional = step.if?.includes("env.SIGNING == 'true'") || /&& secrets\.\w+ \|\| ''/.test(text);
      expect(conditional, `${path} is handed over unconditionally`).toBe(true);
    }
    const secretsOf = (step: Step | undefined) => Object.keys(step?.env ?? {}).filter((name) => step?.env?.[name].includes('secrets.') && name !== 'GH_TOKEN').sort();
    const unsigned = steps.find((step) => step.if === "env.SIGNING != 'true'");
    const mac = steps.find((step) => step.if === "env.SIGNING == 'true' && matrix.platform == 'mac'");
    const windows = steps.find((step) => step.if === "env.SIGNING == 'true' && matrix.platform == 'win'");
    expect(secretsOf(unsigned)).toEqual([]);
    expect(unsigned?.env?.CSC_IDENTITY_AUTO_DISCOVERY).toBe('false');
    expect(secretsOf(mac)).toEqual(['APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_ID', 'APPLE_TEAM_ID', 'CSC_KEY_PASSWORD', 'CSC_LINK']);
    expect(secretsOf(windows)).toEqual(['WIN_CSC_KEY_PASSWORD', 'WIN_CSC_LINK']);
    expect(job.env.SIGNING).toContain("matrix.platform == 'mac' && secrets.CSC_LINK != ''");
    expect(job.env.SIGNING).toContain("matrix.platform == 'win' && secrets.WIN_CSC_LINK != ''");
  });

  it('downloads the very stories260K the tests use, from its public Hugging Face repository, into HEARTH_MODELS_DIR', () => {
    expect(job.env.STORIES_URL).toMatch(/^https:\/\/huggingface\.co\/[\w.-]+\/[\w.-]+\/resolve\/main\/.*stories260K\.gguf$/);
    expect(job.env.STORIES_SHA256).toBe(createHash('sha256').update(readFileSync(stories260K)).digest('hex'));
    expect(job.env.HEARTH_MODELS_DIR).toBeTruthy();
    const download = steps.find((step) => step.run?.includes('curl'));
    expect(download?.run).toMatch(/curl -fL .*-o "\$HEARTH_MODELS_DIR\/stories260K\.gguf" "\$STORIES_URL"/);
    expect(download?.run).toContain('process.env.STORIES_SHA256');
  });

  it('launches the packaged app with Playwright, under Xvfb on Linux', () => {
    const command = 'npx playwright test --config test/release/playwright.config.ts';
    const tests = steps.filter((step) => step.run?.includes(command));
    expect(tests.map((step) => ({ if: step.if, run: step.run }))).toEqual([
      { if: "runner.os == 'Linux'", run: `xvfb-run --auto-servernum ${command}` },
      { if: "runner.os != 'Linux'", run: command }
    ]);
    const xvfb = stepIndex((step) => step.run?.includes('apt-get install -y -qq xvfb') ?? false, 'Xvfb installed');
    expect(steps[xvfb].if).toBe("runner.os == 'Linux'");
    expect(xvfb).toBeLessThan(steps.indexOf(tests[0]));
  });

  it('that test is not part of npm test’s Playwright run, and has a config of its own', () => {
    const releaseDir = join(root, 'test/release');
    const mainTestDir = resolve(root, mainPlaywrightConfig.testDir ?? '.');
    expect(relative(mainTestDir, releaseDir).startsWith('..'), `${mainTestDir} would collect ${releaseDir}`).toBe(true);
    expect(resolve(releaseDir, releasePlaywrightConfig.testDir ?? '.')).toBe(releaseDir);
    expect(existsSync(join(releaseDir, String(releasePlaywrightConfig.testMatch)))).toBe(true);
  });
});
