import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import { ApiError, grammarSchemaOf, type GenerationSettings, type ResponseFormat } from '../api';

/** Grammars made so far, per llama and schema: compiling one takes longer than a short reply. */
const grammars = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();
const kept = 32;

/**
 * The grammar a reply's response format asks for (none for free text): any JSON object, or JSON that
 * follows the schema (see api/jsonSchema.ts for what is enforced). VALIDATION for a schema with
 * keywords that cannot be enforced; node-llama-cpp's own refusals surface the same way.
 */
export function grammarFor(llama: Llama, format: ResponseFormat): Promise<LlamaGrammar> | undefined {
  if (format.kind === 'text') return undefined;
  const key = format.kind === 'json' ? 'json' : JSON.stringify(format.schema);
  let made = grammars.get(llama);
  if (!made) grammars.set(llama, (made = new Map()));
  const cached = made.get(key);
  if (cached) return cached;
  const grammar = makeGrammar(llama, format);
  if (made.size >= kept) made.delete(made.keys().next().value!);
  made.set(key, grammar);
  grammar.catch(() => made.delete(key));
  return grammar;
}

async function makeGrammar(llama: Llama, format: Exclude<ResponseFormat, { kind: 'text' }>): Promise<LlamaGrammar> {
  if (format.kind === 'json') return llama.getGrammarFor('json');
  const { schema, unsupported } = grammarSchemaOf(format.schema);
  if (unsupported.length > 0) throw new ApiError('VALIDATION', `The JSON schema uses what Hearth cannot enforce: ${unsupported.join('; ')}.`);
  try {
    return await llama.createGrammarForJsonSchema(schema as Parameters<Llama["createGrammarForJsonSchema"]>[0]);
  } catch (error) {
    throw new ApiError('VALIDATION', `The JSON schema cannot be turned into a grammar: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Settings that cannot run together, refused before a reply starts (SETTINGS_INVALID). */
export function requireCompatibleSettings(settings: GenerationSettings): void {
  if (settings.beamWidth > 1 && settings.responseFormat.kind !== 'text') {
    throw new ApiError('SETTINGS_INVALID', 'Beam search cannot follow a JSON response format: set the beam width to 1, or the response format to text.');
  }
}
