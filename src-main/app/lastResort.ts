import { errorMessageOf } from '../api';

/**
 * The last line of defence for background work (timers, streams, event handlers) that escaped its own
 * error handling: the failure is logged with its context and, for an exception, shown to the user by
 * `tell`; the process keeps serving every other client instead of exiting silently. Returns a function
 * that removes the handlers.
 */
export function keepServingOnUnexpectedErrors(tell: (message: string) => void): () => void {
  const onRejection = (reason: unknown) => {
    console.error('[hearth] a background task failed and was dropped; Hearth keeps running:', reason);
  };
  const onException = (error: Error, origin: string) => {
    console.error(`[hearth] unexpected error (${origin}); Hearth keeps running:`, error);
    tell(`Hearth hit an unexpected error and kept running: ${errorMessageOf(error)}. If something looks wrong, restart it; nothing already stored is lost.`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
