import { errorMessageOf, type FitReport, type HubFile, type HubRepositoryFiles, type HubSearchResult, type HubSort } from '../api';
import { builtInCatalog, fitReport, geometryForFileSize, geometryFromFileSize, geometryFromGguf, type ModelGeometry } from '../catalog';
import type { HardwareService } from '../hardware';
import type { History } from '../history';
import { gatedAccess, groupGgufFiles, listRepository, repositoryInfo, searchHub, type DownloadManager, type GgufFileSet, type GgufGroup, type HubOptions } from '../models';
import type { Outbound } from '../network';
import type { BenchmarkService } from './bench';
import { deviceKey } from './loader';

export interface HubServiceOptions {
  /** Read on every call, so a token set while the app runs is used at once. */
  hub: () => HubOptions;
  /** The one door out: every request is logged, and refused while offline. */
  outbound: Outbound;
  /** Reads one file's GGUF header from the Hub (`inspect`: range requests, only the header's bytes travel). */
  downloads: Pick<DownloadManager, 'inspect'>;
  hardware: HardwareService;
  history: History;
  bench: BenchmarkService;
}

/** The model shape the fits use, from one file's header. */
interface HeaderShape {
  set: GgufFileSet;
  geometry: ModelGeometry;
}

const splitSuffix = /-\d{5}-of-\d{5}(\.gguf)$/i;

/** A file set's name in sentences: a split set by its name without the part number. */
function displayName(set: GgufFileSet): string {
  const name = set.path.split('/').at(-1) ?? set.path;
  return set.parts > 1 ? `${name.replace(splitSuffix, '$1')} (${set.parts} parts)` : name;
}

function noteOf(set: GgufFileSet): string | null {
  if (set.projector) return 'A vision projector: it gives a model of this repository its image input, and is not a chat model on its own.';
  if (set.partsListed < set.parts) return `Only ${set.partsListed} of its ${set.parts} parts are in the repository, so it cannot be downloaded whole.`;
  if (set.parts > 1) return `Split into ${set.parts} parts, downloaded together from the first one's reference; the size is of all of them.`;
  return null;
}

/** The file whose header is read for the model's shape: the smallest whole model file (its header is as big as any other's). */
function headerCandidate(groups: readonly GgufGroup[]): GgufFileSet | null {
  const models = groups.flatMap((group) => group.files).filter((set) => !set.projector && set.partsListed === set.parts);
  return models.sort((a, b) => a.sizeBytes - b.sizeBytes)[0] ?? null;
}

/**
 * GGUF files on the Hugging Face Hub: search, and a repository's files grouped by quantization with the fit
 * of each on this machine (the recommendations' estimator and sentence), every request through `Outbound`.
 */
export class HubService {
  constructor(private readonly options: HubServiceOptions) {}

  /** GGUF repositories whose names contain `query`, most first by `sort`; see `searchHub`. */
  async search(query: string, sort: HubSort, limit: number): Promise<HubSearchResult> {
    return { query, sort, repositories: await searchHub(this.options.hub(), this.options.outbound, query, sort, limit) };
  }

  /**
   * A repository's GGUF files by quantization, each fitted at `contextSize` tokens (at most the model's own
   * context). The model's shape comes from the header of its smallest file, read from the Hub; each other file
   * scales it to its own size. Where no header can be read (gated without access, a failure), each file is
   * shaped like the catalog model nearest its size, and `fitBasis` says so.
   *
   * @throws ApiError FORBIDDEN while offline; NOT_FOUND for a repository the Hub does not have; DOWNLOAD_FAILED
   *   when the Hub cannot be reached
   */
  async files(repo: string, contextSize: number): Promise<HubRepositoryFiles> {
    const hub = this.options.hub();
    const info = await repositoryInfo(hub, this.options.outbound, repo);
    const listing = 'refused' in info ? info : await listRepository(hub, this.options.outbound, repo);
    if ('refused' in listing) return { repo, groups: [], access: listing.refused, fitBasis: 'No fits: the Hub did not list its files.', contextSize };
    const gated = 'gated' in info ? info.gated : null;
    const access = gated ? gatedAccess(hub, repo) : null;
    const groups = groupGgufFiles(listing.entries);
    const candidate = headerCandidate(groups);
    const shape = await this.readShape(repo, candidate, gated !== null && !hub.token);
    const fitBasis =
      'geometry' in shape
        ? `The model's shape is read from the header of ${displayName(shape.set)} on the Hub; the other files' weights are scaled from their sizes.`
        : `No header was read (${shape.why}): each file is estimated from its size, shaped like the catalog model of the nearest parameter count.`;
    const fitOf = await this.fitter(contextSize, 'geometry' in shape ? shape : null);
    return {
      repo,
      groups: groups.map((group) => ({
        quantization: group.quantization,
        files: group.files.map((set): HubFile => ({
          path: set.path,
          sizeBytes: set.sizeBytes,
          parts: set.parts,
          source: set.partsListed < set.parts ? null : `hf:${repo}/${set.path}`,
          note: noteOf(set),
          fit: set.projector ? null : fitOf(set)
        }))
      })),
      access,
      fitBasis,
      contextSize
    };
  }

  private async readShape(repo: string, candidate: GgufFileSet | null, closed: boolean): Promise<HeaderShape | { why: string }> {
    if (!candidate) return { why: 'the repository holds no whole GGUF model file' };
    if (closed) return { why: 'the repository is gated and Hearth has no token to read it with' };
    try {
      const { info } = await this.options.downloads.inspect(`hf:${repo}/${candidate.path}`);
      return { set: candidate, geometry: geometryFromGguf(info) };
    } catch (error) {
      return { why: errorMessageOf(error) };
    }
  }

  /** Fits a file set on this machine: with the header's shape where there is one, else from its size alone. */
  private async fitter(contextSize: number, shape: HeaderShape | null): Promise<(set: GgufFileSet) => FitReport> {
    const { hardware, history, bench } = this.options;
    const report = await hardware.report();
    const device = deviceKey(report);
    const options = { kvCacheType: 'f16' as const, correction: history.measurements.correction(device), cpuBandwidthGbPerSecond: bench.measuredOn(device).cpu.gbPerSecond };
    const catalog = builtInCatalog();
    return (set) => {
      if (shape) {
        const geometry = set === shape.set ? shape.geometry : geometryForFileSize(shape.geometry, shape.set.sizeBytes, set.sizeBytes, set.quantization);
        return fitReport(displayName(set), geometry, report, { ...options, contextSize: Math.min(contextSize, geometry.contextLength || contextSize) }).report;
      }
      const { geometry, shapedLike } = geometryFromFileSize(catalog, set.sizeBytes, set.quantization);
      return fitReport(`${displayName(set)} (shaped like ${shapedLike.name})`, geometry, report, { ...options, contextSize: Math.min(contextSize, geometry.contextLength) }).report;
    };
  }
}
