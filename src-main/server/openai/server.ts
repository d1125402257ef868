import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { ApiError } from '../../api';
import type { GenerationJob, OpenAiBackend } from '../../app';
import { answersHost, isLoopbackHost, type RunningServer } from '../http';
import { finishReasonOf, OpenAiError, openStream, replyShapes, sendJson } from './responses';
import { conversationOf } from './messages';
import { chatCompletionSchema, completionSchema, embeddingInputsOf, embeddingSchema, logprobsOf, promptOf, settingsOf, toolsOf } from './schemas';

export interface OpenAiServerOptions {
  backend: OpenAiBackend;
  host?: string;
  port?: number;
  /** Required off loopback; when set, required on loopback too. */
  apiKey?: string;
  /** Origins a browser page may call from; none by default. */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  /** No request gets more tokens than this, whatever it asks. */
  maxTokensCap?: number;
  /** Seconds a 429 tells the client to wait. */
  retryAfterSeconds?: number;
}

export const openAiDefaults = { port: 1234, maxBodyBytes: 4 * 1024 * 1024, maxTokensCap: 4096, retryAfterSeconds: 2 };

async function readBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  const tooLarge = () => new OpenAiError(413, 'invalid_request_error', `The request body is larger than the ${limit}-byte limit.`, null, 'request_too_large');
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new OpenAiError(400, 'invalid_request_error', 'The request body is not valid JSON.');
  }
}

function decodedPathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new OpenAiError(400, 'invalid_request_error', `The address holds a malformed escape: ${part.slice(0, 80)}`);
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue.path.join('.') || null;
  throw new OpenAiError(400, 'invalid_request_error', param ? `${param}: ${issue.message}` : issue.message, param);
}

/**
 * The OpenAI-compatible API (`/v1`), for editors, scripts and other apps. Off unless switched on; on
 * loopback by default; a key is required anywhere else; browsers are refused unless their origin is
 * allow-listed. Errors use OpenAI's JSON shape and status codes.
 */
export function startOpenAiServer(options: OpenAiServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.apiKey) {
    return Promise.reject(new Error(`Refusing to serve the OpenAI API on ${host} without an API key: set one to expose it beyond this machine.`));
  }
  const limit = options.maxBodyBytes ?? openAiDefaults.maxBodyBytes;
  const cap = options.maxTokensCap ?? openAiDefaults.maxTokensCap;
  const retryAfter = String(options.retryAfterSeconds ?? openAiDefaults.retryAfterSeconds);
  const allowed = new Set(options.allowedOrigins ?? []);

  const corsHeaders = (request: IncomingMessage): Record<string, string> => {
    const origin = request.headers.origin;
    return origin && allowed.has(origin) ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
  };

  const check = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    if (origin && !allowed.has(origin)) throw new OpenAiError(403, 'permission_error', `Requests from ${origin} are not allowed; add the origin to the API's allowed origins.`);
    if (options.apiKey) {
      const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
      if (bearer !== options.apiKey) throw new OpenAiError(401, 'authentication_error', 'Missing or wrong API key (Authorization: Bearer <key>).', null, 'invalid_api_key');
    }
  };

  const generate = async (request: IncomingMessage, response: ServerResponse, job: GenerationJob, stream: boolean, includeUsage: boolean, object: 'chat' | 'text') => {
    const controller = new AbortController();
    // A client that goes away stops its generation and frees its slot at once.
    response.on('close', () => controller.abort());
    const shapes = replyShapes(object, { id: `${object === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: job.model }, job.logprobs != null);
    if (!stream) return sendJson(response, 200, shapes.whole(await options.backend.generate(job, controller.signal)), corsHeaders(request));
    // The stream opens with the first text, so a refusal before it (unknown model, full queue) is still a plain error response.
    // With include_usage, OpenAI gives every chunk `usage: null` and the figures in one last chunk.
    let events: ReturnType<typeof openStream> | null = null;
    const send = (chunk: object) => {
      if (!events) {
        events = openStream(response, corsHeaders(request));
        if (object === 'chat') send(shapes.role());
      }
      events.send(includeUsage ? { ...chunk, usage: null } : chunk);
    };
    const result = await options.backend.generate(job, controller.signal, {
      delta: (delta, segment, logprobs) => send(shapes.chunk(delta, null, segment, logprobs)),
      toolCall: (call) => send(shapes.toolCall(call))
    });
    send(shapes.chunk(null, finishReasonOf(result.metrics.stopReason)));
    if (includeUsage) events!.send(shapes.usage(result.metrics));
    events!.done();
  };

  const modelObject = (name: string) => ({ id: name, object: 'model', created: 0, owned_by: 'hearth' });
  const routes: Record<string, (request: IncomingMessage, response: ServerResponse, parameter: string) => Promise<void>> = {
    'GET /v1/models': async (request, response) => {
      const names = await options.backend.models();
      sendJson(response, 200, { object: 'list', data: names.map(modelObject) }, corsHeaders(request));
    },
    'GET /v1/models/{id}': async (request, response, id) => {
      if (!(await options.backend.models()).includes(id)) throw new OpenAiError(404, 'not_found_error', `The model "${id}" is not installed; GET /v1/models lists the ones that are.`, 'model', 'model_not_found');
      sendJson(response, 200, modelObject(id), corsHeaders(request));
    },
    'POST /v1/chat/completions': async (request, response) => {
      const body = parse(chatCompletionSchema, await readBody(request, limit));
      const { systemPrompt, turns } = conversationOf(body.messages);
      const job: GenerationJob = { kind: 'chat', model: body.model, systemPrompt, turns, settings: settingsOf(body, cap, cap), logprobs: logprobsOf(body), tools: toolsOf(body) };
      await generate(request, response, job, Boolean(body.stream), Boolean(body.stream_options?.include_usage), 'chat');
    },
    'POST /v1/completions': async (request, response) => {
      const body = parse(completionSchema, await readBody(request, limit));
      // OpenAI's completions default to 16 tokens.
      const job: GenerationJob = { kind: 'completion', model: body.model, prompt: promptOf(body), settings: settingsOf(body, 16, cap), logprobs: logprobsOf(body) };
      await generate(request, response, job, Boolean(body.stream), Boolean(body.stream_options?.include_usage), 'text');
    },
    'POST /v1/embeddings': async (request, response) => {
      const body = parse(embeddingSchema, await readBody(request, limit));
      const { vectors, promptTokens } = await options.backend.embed(body.model, embeddingInputsOf(body));
      // base64: the float32 values, little-endian, as OpenAI encodes them.
      const encode = (vector: number[]) => (body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector);
      sendJson(
        response,
        200,
        { object: 'list', model: body.model, data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encode(vector) })), usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
        corsHeaders(request)
      );
    }
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    const handle = async () => {
      if (!answersHost(host, request)) throw new OpenAiError(421, 'permission_error', 'This server answers only to localhost names.', null, 'misdirected_request');
      if (request.method === 'OPTIONS') {
        const origin = request.headers.origin;
        if (!origin || !allowed.has(origin)) throw new OpenAiError(403, 'permission_error', 'Cross-origin requests are not allowed from this origin.');
        // The SDKs send headers of their own (x-stainless-*, OpenAI-Beta, …): an allowed origin may send what it asks for.
        const asked = request.headers['access-control-request-headers'];
        response.writeHead(204, {
          ...corsHeaders(request),
          'Access-Control-Allow-Methods': 'GET, HEAD, POST',
          'Access-Control-Allow-Headers': asked ?? 'Authorization, Content-Type',
          'Access-Control-Max-Age': '600'
        });
        return void response.end();
      }
      check(request);
      // HEAD is GET without the body (Node leaves it out); a model's id may hold slashes (a subfolder).
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const modelId = path.startsWith('/v1/models/') ? decodedPathPart(path.slice('/v1/models/'.length)) : '';
      const route = routes[`${method} ${modelId ? '/v1/models/{id}' : path}`];
      if (!route) throw new OpenAiError(404, 'not_found_error', `Unknown endpoint ${request.method} ${path}.`, null, 'unknown_url');
      await route(request, response, modelId);
    };
    handle().catch((error: unknown) => {
      const failure = error instanceof OpenAiError ? error : error instanceof ApiError ? OpenAiError.from(error) : new OpenAiError(500, 'server_error', error instanceof Error ? error.message : String(error));
      if (response.headersSent) {
        // Mid-stream the status is gone: the error travels as the last event.
        if (!response.writableEnded) response.end(`data: ${JSON.stringify(failure.body())}\n\n`);
        return;
      }
      sendJson(response, failure.status, failure.body(), { ...corsHeaders(request), ...(failure.status === 429 ? { 'Retry-After': retryAfter } : {}) });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? openAiDefaults.port, host, () => {
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        server,
        url: `http://${shownHost}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          })
      });
    });
  });
}
