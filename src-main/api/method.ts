/**
 * How a contract method is declared: its input schema, and its output type carried as a phantom. Its own module so
 * the contract's parts (contract.ts, hub.ts) declare methods alike and spread into one list without importing each other.
 */
import type { z } from 'zod';

/** A method: its input schema, and its output type carried as a phantom (curried so the input is inferred). */
export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  output: O;
}

export function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input, output: undefined as O });
}
