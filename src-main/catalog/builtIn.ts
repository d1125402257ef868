import raw from '../../resources/catalog.json' with { type: 'json' };
import { parseCatalog, type Catalog } from './catalog';

let parsed: Catalog | null = null;

/** The curated catalog shipped in resources/, validated once on first use. */
export function builtInCatalog(): Catalog {
  parsed ??= parseCatalog(raw);
  return parsed;
}
