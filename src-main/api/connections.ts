/**
 * What crosses the machine's edge: the outbound log and offline switch, remote engines, the OpenAI-compatible API's settings. Pure (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';

export const outboundPurposes = ['download', 'hub', 'inspect', 'remote-engine', 'update'] as const;
export type OutboundPurpose = (typeof outboundPurposes)[number];

/** One request Hearth made (or refused to make) beyond this machine. */
export interface OutboundRecord {
  id: number;
  at: number;
  purpose: OutboundPurpose;
  method: string;
  /** Without query string or credentials. */
  url: string;
  status: number | null;
  error: string | null;
  blocked: boolean;
  /** What the answer meant when its status does not say it, e.g. that a resumed file changed on the server. */
  note?: string;
}

export interface NetworkSettings {
  /** Blocks every outbound request: downloads, Hub look-ups, remote engines, update checks. */
  offline: boolean;
}

/** An OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio, another Hearth) whose models chats can use. */
export interface RemoteEngine {
  id: number;
  name: string;
  /** Up to and including /v1, e.g. http://gpu-box:8000/v1. */
  baseUrl: string;
  /** Whether a key is stored (never the key). */
  hasKey: boolean;
  /** Where the key is kept: the OS keychain (desktop), or memory until Hearth restarts (browser mode). */
  keyStorage: 'secure storage' | 'memory' | null;
  /** The models it listed the last time it was asked. */
  models: string[];
  error: string | null;
}

/** A conversation's model on a remote engine is named `remote:<engine id>/<model>`. */
export const remoteModelPrefix = 'remote:';

export function remoteModelName(engineId: number, model: string): string {
  return `${remoteModelPrefix}${engineId}/${model}`;
}

export function parseRemoteModelName(name: string): { engineId: number; model: string } | null {
  const match = /^remote:(\d+)\/(.+)$/.exec(name);
  return match ? { engineId: Number(match[1]), model: match[2] } : null;
}

/** The OpenAI-compatible API's settings (Settings → API server); the key itself is never returned. */
export const apiServerSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(0).max(65535),
  /** Browser origins allowed to call it; none by default. */
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ })).max(20),
  maxTokensCap: z.number().int().min(1).max(131072),
  /** Requests that may wait for the model beyond those running; more are answered 429. */
  queueLimit: z.number().int().min(0).max(10_000),
  /** Keep API chats as conversations in the history (off: only their figures, for the dashboard). */
  storeChats: z.boolean()
});
export type ApiServerSettings = z.infer<typeof apiServerSettingsSchema>;

/** The queue takes an editor's burst of completions rather than refusing it (Ollama's default queue is 512). */
export const defaultApiServerSettings: ApiServerSettings = { enabled: false, host: '127.0.0.1', port: 1234, allowedOrigins: [], maxTokensCap: 4096, queueLimit: 512, storeChats: false };

export interface ApiServerStatus {
  settings: ApiServerSettings;
  running: boolean;
  /** Base URL clients use, e.g. http://127.0.0.1:1234/v1. */
  url: string | null;
  hasKey: boolean;
  /** Why it is not running although enabled (port taken, no key off loopback). */
  error: string | null;
  /** Who started the running server: Settings, or `hearth serve --api` (its settings are not saved until changed here). */
  startedBy: 'settings' | 'command line' | null;
}
