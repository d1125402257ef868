import { describe, expect, it } from 'vitest';
import { ApiClientError } from '../../../src-renderer/src/lib/api';
import { Task } from '../../../src-renderer/src/lib/task.svelte';

/** A promise the test settles by hand, to look at the task while its work is under way. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((done, fail) => ((resolve = done), (reject = fail)));
  return { promise, resolve, reject };
}

describe('a task', () => {
  it('is running while its work is, and has no problem when the work succeeds', async () => {
    const task = new Task();
    const work = deferred();
    const done = task.run(() => work.promise);
    expect(task.running).toBe(true);
    work.resolve();
    expect(await done).toBe(true);
    expect(task).toMatchObject({ running: false, problem: null });
  });

  it("keeps the message of what the work threw, and forgets it when it runs again", async () => {
    const task = new Task();
    expect(await task.run(() => Promise.reject(new ApiClientError('BUSY', 'Wait for the reply.')))).toBe(false);
    expect(task).toMatchObject({ running: false, problem: 'Wait for the reply.' });

    const work = deferred();
    const again = task.run(() => work.promise);
    expect(task.problem).toBeNull();
    work.resolve();
    expect(await again).toBe(true);
  });

  it('keeps the problem work answers with instead of throwing', async () => {
    const task = new Task();
    expect(await task.run(async () => 'The file is in use.')).toBe(false);
    expect(task.problem).toBe('The file is in use.');
    expect(await task.run(async () => null)).toBe(true);
    expect(task.problem).toBeNull();
  });

  it('words a failure its own way when given how (a list of problems, say)', async () => {
    const task = new Task((error) => (ApiClientError.from(error).issues ?? []).map((issue) => `${issue.path}: ${issue.message}`));
    const failure = new ApiClientError('VALIDATION', 'Invalid input', [{ path: 'port', message: 'Too big' }]);
    expect(await task.run(() => Promise.reject(failure))).toBe(false);
    expect(task.problem).toEqual(['port: Too big']);
  });
});
