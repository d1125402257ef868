import { ApiClientError } from './api';

/** Words what a failed task threw, for the place that shows it. */
export type Describe<Problem> = (error: unknown) => Problem;

/**
 * Something the user started that takes a while: whether it is running (to disable its button and
 * say "Saving…"), and why it last failed, null when it did not. One home for the busy flag, the
 * problem and the try/finally that keeps them right.
 */
export class Task<Problem = string> {
  running = $state(false);
  problem = $state<Problem | null>(null);

  private readonly describe: Describe<Problem>;

  /** A task whose problem is not the thrown error's message (a list of problems, say) is given how to word it. */
  constructor(...[describe]: string extends Problem ? [describe?: Describe<Problem>] : [describe: Describe<Problem>]) {
    this.describe = describe ?? ((error) => ApiClientError.from(error).message as Problem);
  }

  /**
   * Runs `work` with `running` set. Its problem is what it throws, worded by `describe`, or what it
   * resolves with (for work that answers with its problem rather than throwing it). True when there was none.
   */
  async run(work: () => Promise<Problem | null | void>): Promise<boolean> {
    this.running = true;
    this.problem = null;
    try {
      this.problem = (await work()) ?? null;
    } catch (error) {
      this.problem = this.describe(error);
    } finally {
      this.running = false;
    }
    return this.problem === null;
  }
}
