/**
 * Model files, the loaded model, the tokenizer and next-token views, and downloads. Pure (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';

/**
 * A model reference: the one name a model goes by in conversations, reply figures, method inputs and the
 * API. For a local model, its path relative to the models folder (`Qwen3-8B-Q4_K_M.gguf`,
 * `qwen/Qwen3-8B-Q4_K_M.gguf`; see `ModelFile.name`); for a remote engine's, `remote:<engine id>/<model>`
 * (see `remoteModelName`). Never a filesystem path.
 */
export type ModelRef = string;
export const modelRefSchema = z.string().trim().min(1).max(4096);

export interface TokenPiece {
  id: number;
  /** The token's text, special tokens written out (a piece may be part of a multi-byte character). */
  text: string;
  /** For a byte-fallback token (one byte of a character the vocabulary has no token for): that byte. */
  byte?: number;
}

export interface TokenizeResult {
  model: string;
  tokens: TokenPiece[];
}

export interface TokenCandidate extends TokenPiece {
  /** The model's own probability (temperature 1, no cut-offs). */
  probability: number;
}

/**
 * How many next-token candidates the Playground reads. Its sampling cut-offs act on these alone, so its
 * top-k slider stops here: a larger k would cut nothing it can show.
 */
export const nextTokenCandidates = 100;

export interface NextTokensResult {
  model: string;
  promptTokens: number;
  /** The most likely next tokens, most likely first. */
  candidates: TokenCandidate[];
  /** Present when sampling was asked for: the token llama.cpp picked with the given settings. */
  sampled: TokenPiece | null;
}

export interface ModelFile {
  /** Path relative to the models folder: the name a user picks a model by. */
  name: string;
  path: string;
  sizeBytes: number;
  usable: boolean;
  /** Why the file cannot be used, when it cannot. */
  problem: string | null;
  architecture: string | null;
  quantization: string | null;
  hasChatTemplate: boolean;
  /** Hearth's built-in demo model: it says one fixed sentence; real models come from the recommender. */
  demo: boolean;
  /** Files on disk: more than one for a split set (listed by its first part). */
  parts: number;
}

export type EngineState = 'idle' | 'loading' | 'ready' | 'error';

/**
 * Whether a model thinks before it answers: `none`, `always` (a reasoning model whose template has no
 * switch, e.g. the DeepSeek-R1 distills), or `switchable` (its template can ask it not to, e.g. Qwen3).
 */
export type ThinkingSupport = 'none' | 'always' | 'switchable';

export interface LoadedModel {
  name: string;
  path: string;
  chatTemplate: string;
  isBaseModel: boolean;
  thinking: ThinkingSupport;
  contextSize: number;
  threads: number;
  gpu: string | false;
  gpuLayers: number;
  loadMs: number;
  /** What the fit estimator expected this load to take, and what it took (RAM + VRAM growth). */
  estimatedBytes: number | null;
  measuredBytes: number;
  /** Set when the guardrail changed the request so the model would load (fewer GPU layers, smaller context). */
  loadNote: string | null;
}

export interface EngineStatus {
  state: EngineState;
  model: LoadedModel | null;
  error: string | null;
  generatingConversationId: number | null;
}

export interface AppInfo {
  name: string;
  version: string;
  dataDir: string;
  modelsDir: string;
  platform: string;
  cpuThreads: number;
  /** Where API keys and tokens are kept (Settings says it). */
  secrets: SecretStorage;
}

/**
 * Where secrets live: `keychain` — encrypted by the OS keychain and kept across restarts (desktop with a
 * real keychain); `memory` — in memory until Hearth quits (browser mode, or a desktop without one).
 * `note` says which, and why, in one sentence for Settings.
 */
export interface SecretStorage {
  kind: 'keychain' | 'memory';
  note: string;
}

export interface HubTokenStatus {
  configured: boolean;
  /** 'secure storage': the OS keychain; 'memory': kept until Hearth quits (no keychain). */
  source: 'environment' | 'secure storage' | 'memory' | null;
  /** The desktop app can store one; browser mode reads HF_TOKEN from the environment only. */
  canStore: boolean;
  /** A stored token is encrypted by the system keychain and survives a restart (else: memory until Hearth quits). */
  keychain: boolean;
}

export const downloadStatuses = ['queued', 'downloading', 'paused', 'verifying', 'completed', 'failed', 'cancelled'] as const;
export type DownloadStatus = (typeof downloadStatuses)[number];

export interface Download {
  id: number;
  /** What the user asked for: hf:owner/repo/file.gguf, hf:owner/repo:Q4_K_M, catalog:id:Q4_K_M or an https URL. */
  source: string;
  url: string;
  fileName: string;
  totalBytes: number | null;
  receivedBytes: number;
  status: DownloadStatus;
  error: string | null;
  /** The Hub's published SHA-256 when it gave one (of the first part, for a split model); each file is checked against its own. */
  expectedSha256: string | null;
  sha256: string | null;
  retries: number;
  /** Parallel range requests the file comes in (1: one stream); for a split model, its largest part's. */
  segments: number;
  /** Files it brings: the parts of a split model (named by the first, `fileName`), else 1. Sizes and bytes count them all. */
  parts: number;
  /** Something the download went through that the user should know, e.g. that the file changed on the server and started again. */
  note: string | null;
  /** Live figures while it runs. */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  createdAt: number;
  updatedAt: number;
}
