import { z } from 'zod';
import { ApiError, type CallResult } from './errors';
import { isMethodName, methods, type MethodName, type MethodOutput, type ParsedInput } from './contract';

export type Handlers = { [K in MethodName]: (input: ParsedInput<K>) => Promise<MethodOutput<K>> | MethodOutput<K> };

export interface Router {
  /** Validates the name and the input, runs the handler, and never throws: failures come back as typed errors. */
  call(name: unknown, input: unknown): Promise<CallResult<unknown>>;
}

function validationError(error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.') || '(input)', message: issue.message }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new ApiError('VALIDATION', `Invalid input — ${summary}`, issues);
}

export function createRouter(handlers: Handlers): Router {
  return {
    async call(name, input) {
      try {
        if (!isMethodName(name)) throw new ApiError('UNKNOWN_METHOD', `Unknown method: ${String(name).slice(0, 100)}`);
        const parsed = methods[name].input.safeParse(input ?? {});
        if (!parsed.success) throw validationError(parsed.error);
        const handler = handlers[name] as (input: unknown) => Promise<unknown> | unknown;
        return { ok: true, result: await handler(parsed.data) };
      } catch (error) {
        return { ok: false, error: ApiError.from(error).toJSON() };
      }
    }
  };
}
