import {
  samplingPresetNames,
  samplingPresets,
  type ContextReport,
  type Drafting,
  type GenerationSettings,
  type MessageMetrics,
  type SamplingPresetName
} from '$api/contract';
import type { ErrorIssue } from '$api/errors';
import { acceptanceRate, formatDuration, formatMilliseconds, formatRate, stopReasonLabels } from './format';

/**
 * The settings panel's working copy: a number field the user cleared holds null until the form is
 * checked against the API's schema (seed and context size may be null anyway).
 */
export type SettingsForm = {
  [K in keyof GenerationSettings]: GenerationSettings[K] extends number ? number | null : GenerationSettings[K];
};

export type SettingName = keyof GenerationSettings;

/** Each setting's label and its one-line explanation: the panel, its error messages and "Settings used" share them. */
export const settingInfo: Record<SettingName, { label: string; hint: string }> = {
  temperature: { label: 'Temperature', hint: 'How random the pick is: 0 always takes the likeliest token, higher varies more.' },
  topK: { label: 'Top-k', hint: 'Pick only among the k likeliest tokens; 0 turns it off.' },
  topP: { label: 'Top-p', hint: 'Keep the smallest set of tokens whose probabilities add up to p.' },
  minP: { label: 'Min-p', hint: 'Drop tokens less likely than min-p times the likeliest one.' },
  repeatPenalty: { label: 'Repeat penalty', hint: 'Makes recently used tokens less likely; 1 turns it off.' },
  repeatLastTokens: { label: 'Penalty look-back', hint: 'How many recent tokens the three penalties look at.' },
  presencePenalty: { label: 'Presence penalty', hint: 'Subtracted once from any token that already appeared.' },
  frequencyPenalty: { label: 'Frequency penalty', hint: 'Subtracted again for every time a token already appeared.' },
  maxTokens: { label: 'Max tokens', hint: 'The longest a reply may get, in tokens, its thinking included.' },
  seed: { label: 'Seed', hint: 'Same seed, settings and prompt give the same reply; empty picks a random one.' },
  stop: { label: 'Stop sequences', hint: 'The reply ends just before any of these texts (up to 8).' },
  stopAtEos: {
    label: 'Stop at end-of-sequence',
    hint: 'The reply ends when the model writes its end token. Clear it to ignore that token: replies then run to max tokens or a stop sequence.'
  },
  contextSize: { label: 'Context length', hint: "Tokens the model sees at once (prompt and reply); empty uses the model's default." },
  contextOverflow: { label: 'When the conversation no longer fits', hint: 'What happens once the prompt and the reply outgrow the context.' },
  chatTemplate: { label: 'Chat template', hint: 'How the conversation is written out for the model.' },
  beamWidth: { label: 'Beam width', hint: '1 samples as usual; above 1 follows that many candidate replies and keeps the likeliest (deterministic, slower).' },
  lengthPenalty: { label: 'Length penalty', hint: 'Beam scores are divided by length to this power: above 0 favours longer replies.' },
  drafting: { label: 'Speculative decoding', hint: 'Guess tokens cheaply and let the model check them: the same reply, often faster.' },
  thinking: { label: 'Thinking', hint: 'Reasoning models think before they answer; off asks the template for its no-thinking form where it has one.' },
  thoughtBudget: { label: 'Thought budget', hint: 'The most tokens a reply may spend thinking before it must answer; empty leaves it to max tokens.' },
  responseFormat: { label: 'Reply format', hint: 'JSON is enforced while the reply is generated, so it always parses; a schema with rules that cannot be enforced (patterns, number ranges) is refused.' }
};

export const presetLabels: Record<SamplingPresetName, string> = { precise: 'Precise', balanced: 'Balanced', creative: 'Creative' };

export const overflowLabels: Record<GenerationSettings['contextOverflow'], string> = {
  dropOldest: 'Drop the oldest turns (system prompt kept)',
  stop: 'Stop with a message'
};

/** The preset the form matches exactly, if any (so its button can show as pressed). */
export function matchingPreset(form: SettingsForm): SamplingPresetName | null {
  return (
    samplingPresetNames.find((name) =>
      Object.entries(samplingPresets[name]).every(([key, value]) => form[key as SettingName] === value)
    ) ?? null
  );
}

function describeDrafting(drafting: Drafting): string {
  if (drafting.kind === 'off') return 'off';
  return drafting.kind === 'promptLookup' ? 'prompt lookup' : `draft model ${drafting.name}`;
}

function isSettingName(key: string): key is SettingName {
  return Object.hasOwn(settingInfo, key);
}

/**
 * Readable problems from schema issues, the panel's own check or the server's (paths such as
 * "settings.temperature"): each names the field by its label; a cleared number field asks for a number.
 */
export function describeIssues(issues: readonly ErrorIssue[], form: SettingsForm): string[] {
  return issues.map(({ path, message }) => {
    const key = path.split('.').find(isSettingName);
    if (!key) return `${path}: ${message}`;
    // Seed, context length and thought budget may be empty; any other empty number field was cleared by the user.
    const missing = form[key] === null && key !== 'seed' && key !== 'contextSize' && key !== 'thoughtBudget';
    const label = settingInfo[key].label;
    if (missing) return `${label}: enter a number.`;
    // The schema's own messages often name the setting already ("Top-p must be above 0.").
    return message.startsWith(label) ? message : `${label}: ${message}`;
  });
}

function quoted(text: string): string {
  return `“${text}”`;
}

function onOff(value: number, off: number, describe: (value: number) => string): string {
  return value === off ? 'off' : describe(value);
}

export interface SettingRow {
  label: string;
  value: string;
}

/** What shaped a finished reply, from its stored metrics: the rows of "Settings used". */
export function describeReplySettings(metrics: MessageMetrics): SettingRow[] {
  const s = metrics.settings;
  const penalties = `over the last ${s.repeatLastTokens} tokens`;
  const rows: SettingRow[] = [
    { label: 'Temperature', value: String(s.temperature) },
    { label: 'Top-k', value: onOff(s.topK, 0, String) },
    { label: 'Top-p', value: String(s.topP) },
    { label: 'Min-p', value: String(s.minP) },
    { label: 'Repeat penalty', value: onOff(s.repeatPenalty, 1, (value) => `${value} ${penalties}`) },
    { label: 'Presence penalty', value: onOff(s.presencePenalty, 0, String) },
    { label: 'Frequency penalty', value: onOff(s.frequencyPenalty, 0, String) },
    { label: 'Seed', value: s.seed === null ? 'random' : String(s.seed) },
    { label: 'Max tokens', value: String(s.maxTokens) },
    { label: 'Stop sequences', value: s.stop.length ? s.stop.map(quoted).join(', ') : 'none' },
    { label: 'Stop at end-of-sequence', value: s.stopAtEos ? 'yes' : 'no' },
    { label: 'Chat template', value: metrics.chatTemplate },
    { label: 'Beam search', value: onOff(s.beamWidth, 1, (width) => `${width} beams, length penalty ${s.lengthPenalty}`) },
    { label: 'Speculative decoding', value: describeDrafting(s.drafting) },
    { label: 'Thinking', value: s.thinking ? (s.thoughtBudget === null ? 'on' : `on, at most ${s.thoughtBudget} tokens`) : 'off' },
    { label: 'Reply format', value: s.responseFormat.kind === 'text' ? 'text' : s.responseFormat.kind === 'json' ? 'any JSON object' : 'JSON following a schema' },
    {
      label: 'Stop reason',
      value: stopReasonLabels[metrics.stopReason] + (metrics.stopSequence !== null ? ` ${quoted(metrics.stopSequence)}` : '')
    },
    { label: 'Context', value: metrics.contextSize > 0 ? `${metrics.contextSize.toLocaleString('en-US')} tokens` : 'unknown' },
    { label: 'Dropped turns', value: String(metrics.droppedTurns) }
  ];
  const speculation = metrics.speculation;
  if (speculation) {
    const rate = acceptanceRate(speculation);
    const checked = speculation.validated + speculation.refuted;
    rows.push({ label: 'Draft acceptance', value: rate === null ? 'nothing drafted' : `${Math.round(rate * 100)}% of ${checked} drafted tokens` });
  }
  if (metrics.beam) rows.push({ label: 'Beam log-probability', value: metrics.beam.logProbability.toFixed(2) });
  return rows;
}

function measured(value: number | null, format: (value: number) => string): string {
  return value === null || !Number.isFinite(value) ? 'not measured' : format(value);
}

/** How a finished reply went, in the order it happened: the rows of its "Timeline". */
export function describeReplyTimeline(metrics: MessageMetrics): SettingRow[] {
  const cached = metrics.promptTokens - metrics.prefillTokens;
  const prefill = metrics.prefillTokensPerSecond === null ? '' : ` at ${formatRate(metrics.prefillTokensPerSecond)}`;
  const used = metrics.promptTokens + metrics.outputTokens;
  const tokens = (count: number) => `${count.toLocaleString('en-US')} ${count === 1 ? 'token' : 'tokens'}`;
  return [
    ...(metrics.retrievalMs != null ? [{ label: 'Document retrieval', value: formatDuration(metrics.retrievalMs) }] : []),
    {
      label: 'Prompt',
      value: `${tokens(metrics.promptTokens)}, ${metrics.prefillTokens.toLocaleString('en-US')} evaluated${prefill}${cached > 0 ? ` (${cached.toLocaleString('en-US')} from the cache)` : ''}`
    },
    { label: 'Time to first token', value: measured(metrics.ttftMs, formatDuration) },
    ...(metrics.thoughtTokens > 0
      ? [
          { label: 'Thinking', value: `${tokens(metrics.thoughtTokens)} in ${measured(metrics.thinkingMs, formatDuration)}` },
          { label: 'Time to first answer token', value: measured(metrics.ttfaMs, formatDuration) }
        ]
      : []),
    { label: 'Decode speed', value: measured(metrics.decodeTokensPerSecond, formatRate) },
    // The decode speed's inverse: the average, where the percentiles below show the spread.
    { label: 'Time per output token', value: measured(metrics.decodeTokensPerSecond || null, (rate) => formatMilliseconds(1000 / rate)) },
    {
      label: 'Inter-token latency',
      value:
        metrics.interTokenP50Ms === null || metrics.interTokenP95Ms === null
          ? 'not measured'
          : `p50 ${formatMilliseconds(metrics.interTokenP50Ms)} · p95 ${formatMilliseconds(metrics.interTokenP95Ms)}`
    },
    { label: 'Output', value: metrics.thoughtTokens > 0 ? `${tokens(metrics.outputTokens)} (${metrics.thoughtTokens.toLocaleString('en-US')} thinking, ${(metrics.outputTokens - metrics.thoughtTokens).toLocaleString('en-US')} answer)` : tokens(metrics.outputTokens) },
    { label: 'Total time', value: formatDuration(metrics.totalMs) },
    { label: 'Stop reason', value: stopReasonLabels[metrics.stopReason] },
    {
      label: 'Context used',
      value:
        metrics.contextSize > 0
          ? `${used.toLocaleString('en-US')} of ${metrics.contextSize.toLocaleString('en-US')} tokens (${Math.round((100 * used) / metrics.contextSize)}%)`
          : `${tokens(used)} (context length unknown)`
    },
    { label: 'GPU layers', value: metrics.gpuLayers === 0 ? '0 (CPU only)' : String(metrics.gpuLayers) },
    { label: 'Threads', value: String(metrics.threads) }
  ];
}

/**
 * What the overflow policy does or is about to do, once the prompt has (nearly) outgrown the
 * context; null while a reply has room. "Nearly": less than twice the room a reply needs is left.
 */
export function contextWarning(report: ContextReport): string | null {
  const dropping = report.policy === 'dropOldest';
  const kept = '(the system prompt is kept)';
  if (report.droppedTurns > 0) {
    const turns = report.droppedTurns === 1 ? 'The oldest turn no longer fits' : `The ${report.droppedTurns} oldest turns no longer fit`;
    return dropping ? `${turns}: the model will not see ${report.droppedTurns === 1 ? 'it' : 'them'} ${kept}.` : `${turns}: the next reply will stop with a message.`;
  }
  const remaining = Math.max(0, report.remainingTokens);
  const reserve = report.reserveTokens.toLocaleString('en-US');
  if (remaining >= report.reserveTokens * 2) return null;
  const left = `Only ${remaining.toLocaleString('en-US')} ${remaining === 1 ? 'token is' : 'tokens are'} left for the reply`;
  if (remaining < report.reserveTokens) {
    // Dropping turns would have been reported above: none are left to drop.
    return dropping
      ? `${left}, and no older turns left to drop: the reply may stop when the context is full.`
      : `${left}, fewer than the ${reserve} a reply needs: the next reply will stop with a message.`;
  }
  return dropping
    ? `${left}. Once fewer than ${reserve} are left, the oldest turns will be dropped to make room ${kept}.`
    : `${left}. Once fewer than ${reserve} are left, the next reply will stop with a message instead.`;
}
