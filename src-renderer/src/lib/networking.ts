import {
  apiServerSettingsSchema,
  parseRemoteModelName,
  remoteModelName,
  type ApiServerSettings,
  type OutboundRecord,
  type RemoteEngine
} from '$api/contract';
import type { ErrorIssue } from '$api/errors';

/** Settings → API server as the form holds it: numbers null while their field is empty, origins one per line. */
export interface ApiServerForm {
  host: string;
  port: number | null;
  maxTokensCap: number | null;
  queueLimit: number | null;
  allowedOrigins: string;
  storeChats: boolean;
}

/** Everything but `enabled`, which the on/off switch sets. */
export type ApiServerFields = Omit<ApiServerSettings, 'enabled'>;

export function apiServerForm(settings: ApiServerSettings): ApiServerForm {
  return {
    host: settings.host,
    port: settings.port,
    maxTokensCap: settings.maxTokensCap,
    queueLimit: settings.queueLimit,
    allowedOrigins: settings.allowedOrigins.join('\n'),
    storeChats: settings.storeChats
  };
}

/** One origin a line; blank lines and surrounding spaces do not count. */
export function originLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const fieldLabels: Record<string, string> = {
  host: 'Host',
  port: 'Port',
  maxTokensCap: 'Max tokens per request',
  queueLimit: 'Requests that may wait',
  allowedOrigins: 'Allowed origins',
  storeChats: 'Keep API chats',
  apiKey: 'API key'
};

/** "allowedOrigins.1: …" → "Allowed origin 2: …"; the other fields by their label (the server's paths start "settings."). */
export function describeApiServerIssue({ path, message }: ErrorIssue): string {
  const [field, line] = path.replace(/^settings\./, '').split('.');
  if (field === 'allowedOrigins' && line !== undefined) return `Allowed origin ${Number(line) + 1}: ${message}`;
  return `${fieldLabels[field] ?? path}: ${message}`;
}

const fieldsSchema = apiServerSettingsSchema.omit({ enabled: true });

/** The form as settings, or what is wrong with it (checked here first, so a cleared field is named before the server has to). */
export function readApiServerForm(form: ApiServerForm): { settings: ApiServerFields } | { problems: string[] } {
  const checked = fieldsSchema.safeParse({ ...form, allowedOrigins: originLines(form.allowedOrigins) });
  if (checked.success) return { settings: checked.data };
  return { problems: checked.error.issues.map((issue) => describeApiServerIssue({ path: issue.path.map(String).join('.'), message: issue.message })) };
}

/** Single-quotes a shell word (POSIX): a quote inside becomes '\''. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A one-line request to the running API, to paste into a terminal. */
export function curlExample(baseUrl: string, model: string, hasKey: boolean): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] });
  const key = hasKey ? ` -H ${shellQuote('Authorization: Bearer YOUR_KEY')}` : '';
  return `curl ${baseUrl}/chat/completions -H ${shellQuote('Content-Type: application/json')}${key} -d ${shellQuote(body)}`;
}

/** Records kept, as the server keeps them. */
export const outboundLogCapacity = 500;

function settled(record: OutboundRecord): boolean {
  return record.blocked || record.status !== null || record.error !== null;
}

/**
 * The outbound log with `records` applied, newest first. A request arrives when it is made and again
 * when it is answered (same id): the later news replaces the earlier, but an answer is never replaced
 * by a stale "made" (the log read at open can cross an event in flight).
 */
export function mergeOutbound(log: readonly OutboundRecord[], records: readonly OutboundRecord[]): OutboundRecord[] {
  const byId = new Map(log.map((record) => [record.id, record]));
  for (const record of records) {
    const known = byId.get(record.id);
    if (!known || !settled(known) || settled(record)) byId.set(record.id, record);
  }
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, outboundLogCapacity);
}

/** What became of a request, in a word or a line. */
export function outboundResult(record: OutboundRecord): string {
  if (record.blocked) return 'blocked';
  if (record.error !== null) return record.error;
  if (record.status !== null) return record.note ? `${record.status}: ${record.note}` : String(record.status);
  return 'waiting…';
}

export interface RemoteModelGroup {
  engineId: number;
  label: string;
  options: { value: string; label: string }[];
}

/** The model picker's remote part: one group per engine that listed models. */
export function remoteModelGroups(engines: readonly RemoteEngine[]): RemoteModelGroup[] {
  return engines
    .filter((engine) => engine.models.length > 0)
    .map((engine) => ({
      engineId: engine.id,
      label: engine.name,
      options: engine.models.map((model) => ({ value: remoteModelName(engine.id, model), label: `${model} — ${engine.name}` }))
    }));
}

/** A conversation's model as the picker names it: a remote one as "model — engine name". */
export function modelLabel(name: string, engines: readonly RemoteEngine[]): string {
  const remote = parseRemoteModelName(name);
  if (!remote) return name;
  const engine = engines.find((candidate) => candidate.id === remote.engineId);
  return `${remote.model} — ${engine?.name ?? 'a removed engine'}`;
}

/** Where a chat's replies come from, for the composer's hint: this machine, or the named remote engine. */
export function replySourceText(model: string | null, engines: readonly RemoteEngine[]): string {
  const remote = model === null ? null : parseRemoteModelName(model);
  if (!remote) return 'replies run locally';
  const engine = engines.find((candidate) => candidate.id === remote.engineId);
  return `replies come from ${engine?.name ?? 'a removed engine'}, over the network`;
}

/** Where an engine's key is kept, in words. */
export function keyStorageText(engine: RemoteEngine): string {
  if (!engine.hasKey) return 'No key';
  return engine.keyStorage === 'secure storage' ? "Key kept in your system's keychain" : 'Key kept in memory (until Hearth quits)';
}
