import { initial } from './001_initial';
import { fitMeasurements } from './002_fit_measurements';
import { downloads } from './003_downloads';
import { downloadSegments } from './004_download_segments';
import { branches } from './005_branches';
import { benchmarks } from './006_benchmarks';
import { searchPrefixes } from './007_search_prefixes';
import { remoteEngines } from './008_remote_engines';
import { apiRequests } from './009_api_requests';
import { modelReference } from './010_model_reference';
import { thoughts } from './011_thoughts';
import { importedMetrics } from './012_imported_metrics';
import { trigramSearch } from './013_trigram_search';
import { documents } from './014_documents';
import { downloadPlans } from './015_download_plans';
import { vectorPrefilter } from './016_vector_prefilter';

export { trigramScripts } from './013_trigram_search';

/** Applied in order; a database's `user_version` is the number of migrations it has. Never edit a shipped one. */
export const migrations: readonly string[] = [initial, fitMeasurements, downloads, downloadSegments, branches, benchmarks, searchPrefixes, remoteEngines, apiRequests, modelReference, thoughts, importedMetrics, trigramSearch, documents, downloadPlans, vectorPrefilter];
