/**
 * JSON schemas for structured output, as Hearth can enforce them: node-llama-cpp turns a schema into a
 * grammar that llama.cpp's sampler follows token by token, which enforces types, `const`, `enum`,
 * `oneOf`/`anyOf`, object properties (required, additional, counts), array items (prefix items, counts),
 * string lengths and the date/time formats, and `$ref` into `$defs`. Anything else (patterns, number
 * ranges, `allOf`, …) cannot be enforced, so a schema using it is refused with the keywords named
 * rather than half-followed. Pure: the renderer checks a conversation's schema with the same code.
 */

type Schema = Record<string, unknown>;

/** Words that describe a schema without constraining it: dropped before the grammar is made. */
const annotations = new Set(['title', '$schema', '$id', '$comment', 'examples', 'default', 'readOnly', 'writeOnly', 'deprecated']);
const primitiveTypes = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const enforcedFormats = new Set(['date-time', 'time', 'date']);

/** Keywords each kind of node may carry, beyond `description` and the annotations. */
const allowed: Record<string, Set<string>> = {
  string: new Set(['type', 'minLength', 'maxLength', 'format']),
  primitive: new Set(['type']),
  object: new Set(['type', 'properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties', '$defs']),
  array: new Set(['type', 'items', 'prefixItems', 'minItems', 'maxItems', '$defs']),
  const: new Set(['const']),
  enum: new Set(['enum', 'type']),
  oneOf: new Set(['oneOf', 'anyOf', '$defs']),
  ref: new Set(['$ref', '$defs'])
};

/** Any JSON value, in the forms the grammar knows (`{}` and `true` as a schema). */
const anyValue = { oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'object', additionalProperties: true }, { type: 'array' }] };

export interface GrammarSchema {
  /** The schema as node-llama-cpp's grammar takes it (annotations dropped, `anyOf` as `oneOf`, `definitions` as `$defs`). */
  schema: unknown;
  /** What cannot be enforced, as "keyword (at /json/pointer)"; the schema is usable only when empty. */
  unsupported: string[];
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Translates a JSON schema for the grammar and lists what it cannot enforce (see the module comment). */
export function grammarSchemaOf(schema: unknown): GrammarSchema {
  const unsupported: string[] = [];
  const translated = translate(schema, '', unsupported);
  return { schema: translated, unsupported };
}

function translate(node: unknown, at: string, unsupported: string[]): unknown {
  if (node === true) return anyValue;
  if (!isSchema(node)) {
    unsupported.push(`a schema that is not an object (at ${at || '/'})`);
    return {};
  }
  const source: Schema = { ...node };
  // JSON Schema draft 7 (Pydantic 1) keeps definitions under `definitions`.
  if (isSchema(source.definitions)) {
    source.$defs = { ...(source.$defs as Schema | undefined), ...source.definitions };
    delete source.definitions;
  }
  const kept = Object.fromEntries(Object.entries(source).filter(([key]) => !annotations.has(key)));
  if (Object.keys(kept).filter((key) => key !== 'description').length === 0) return anyValue;
  if (kept.type === undefined && isSchema(kept.properties)) kept.type = 'object';
  if (kept.type === undefined && (kept.items !== undefined || kept.prefixItems !== undefined)) kept.type = 'array';

  const kind = kindOf(kept, at, unsupported);
  const permitted = allowed[kind];
  for (const key of Object.keys(kept)) {
    if (key !== 'description' && !permitted.has(key)) unsupported.push(`${key} (at ${at || '/'})`);
  }
  const result: Schema = {};
  for (const [key, value] of Object.entries(kept)) {
    if (key !== 'description' && !permitted.has(key)) continue;
    const here = `${at}/${key}`;
    if (key === 'properties' || key === '$defs') {
      result[key] = Object.fromEntries(Object.entries(isSchema(value) ? value : {}).map(([name, child]) => [name, translate(child, `${here}/${name}`, unsupported)]));
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value !== 'boolean')) {
      result[key] = translate(value, here, unsupported);
    } else if (key === 'prefixItems' || key === 'oneOf' || key === 'anyOf') {
      const list = Array.isArray(value) ? value : [];
      result[key === 'anyOf' ? 'oneOf' : key] = list.map((child, index) => translate(child, `${here}/${index}`, unsupported));
    } else if (key === '$ref') {
      result.$ref = String(value).replace(/^#\/definitions\//, '#/$defs/');
      if (!/^#\/\$defs\/[^/]+$/.test(result.$ref as string)) unsupported.push(`$ref other than "#/$defs/…" (at ${here})`);
    } else if (key === 'format' && !enforcedFormats.has(String(value))) {
      unsupported.push(`format "${String(value)}" (at ${here}; date-time, time and date can be enforced)`);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** Which kind of node this is, by the keywords that decide its shape. */
function kindOf(node: Schema, at: string, unsupported: string[]): string {
  if ('$ref' in node) return 'ref';
  if ('const' in node) return 'const';
  if ('enum' in node) return 'enum';
  if ('oneOf' in node || 'anyOf' in node) return 'oneOf';
  const type = node.type;
  if (type === 'string') return 'string';
  if (type === 'object') return 'object';
  if (type === 'array') return 'array';
  if (typeof type === 'string' && primitiveTypes.has(type)) return 'primitive';
  if (Array.isArray(type) && type.every((each) => primitiveTypes.has(String(each)))) return 'primitive';
  if (Array.isArray(type)) unsupported.push(`type [${type.join(', ')}] with object or array (at ${at || '/'}; use anyOf)`);
  else if (type !== undefined) unsupported.push(`type "${String(type)}" (at ${at || '/'})`);
  else unsupported.push(`a schema without a type (at ${at || '/'})`);
  return 'primitive';
}
