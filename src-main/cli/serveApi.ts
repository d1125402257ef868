import { defaultApiServerSettings, type ApiServerSettings } from '../api';
import { openAiDefaults } from '../server';

/** The flags of `hearth serve --api` that set the OpenAI-compatible server (strings as parseArgs gives them). */
export interface ServeApiFlags {
  'api-key'?: string;
  'api-port'?: string;
  'api-host'?: string;
  'api-origins'?: string;
  'api-max-tokens'?: string;
}

/** `serve --api`'s settings: each flag, else the server's own default (the saved Settings do not apply). */
export function commandLineApiSettings(flags: ServeApiFlags): Partial<ApiServerSettings> & { apiKey?: string } {
  const apiKey = flags['api-key'] ?? process.env.HEARTH_API_KEY;
  return {
    host: flags['api-host'] ?? defaultApiServerSettings.host,
    port: flags['api-port'] === undefined ? openAiDefaults.port : Number(flags['api-port']),
    allowedOrigins: flags['api-origins']?.split(',').map((origin) => origin.trim()).filter(Boolean) ?? [],
    maxTokensCap: flags['api-max-tokens'] === undefined ? openAiDefaults.maxTokensCap : Number(flags['api-max-tokens']),
    ...(apiKey ? { apiKey } : {})
  };
}
