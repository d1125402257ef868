import type { Token } from 'node-llama-cpp';
import { ApiError, type NextTokensResult, type TokenizeResult, type TokenPiece } from '../api';
import { nextTokenDistribution, plainTextTokens, type InferenceEngine, type LoadedSession, type SamplingChoice } from '../inference';

function loadedSession(engine: InferenceEngine): LoadedSession {
  const session = engine.loaded;
  if (!session) throw new ApiError('NO_MODEL', 'Load a model to inspect its tokens.');
  return session;
}

/** How llama.cpp's vocabularies name a byte-fallback token: `<0xF0>`. */
const byteTokenName = /^<0x([0-9A-F]{2})>$/i;

/** The byte a byte-fallback token stands for; its text alone is only part of a character, or nothing. */
function tokenByte(session: LoadedSession, id: Token): number | undefined {
  if (!session.model.getTokenAttributes(id).byte) return undefined;
  const name = byteTokenName.exec(session.model.fileInfo.metadata.tokenizer.ggml.tokens[id] ?? '');
  return name ? Number.parseInt(name[1], 16) : undefined;
}

/** A token's text where it stands: the tokens before it decide whether it reads with its leading space. */
function piece(session: LoadedSession, id: Token, before: readonly Token[]): TokenPiece {
  const byte = tokenByte(session, id);
  return { id, text: session.model.detokenize([id], true, before), ...(byte === undefined ? {} : { byte }) };
}

/** The Playground's view into the loaded model: its tokenizer and its next-token probabilities. */
export class TokenInspector {
  constructor(private readonly engine: InferenceEngine) {}

  tokenize(text: string): TokenizeResult {
    const session = loadedSession(this.engine);
    const tokens = session.model.tokenize(text);
    return { model: session.info.name, tokens: tokens.map((id, index) => piece(session, id, tokens.slice(0, index))) };
  }

  /** Reads the distribution on the chat's sequence, so it waits its turn behind a reply. */
  async nextTokens(prompt: string, top: number, sample?: SamplingChoice): Promise<NextTokensResult> {
    const session = loadedSession(this.engine);
    const tokens = plainTextTokens(session.model, prompt);
    if (tokens.length === 0) throw new ApiError('VALIDATION', 'Type a prompt first.');
    const { probabilities, sampled } = await this.engine.run(({ sequence }) => nextTokenDistribution(sequence, tokens, sample), { kind: 'chat', modelPath: session.info.path });
    const candidates = [...probabilities.entries()].slice(0, top).map(([id, probability]) => ({ ...piece(session, id, tokens), probability }));
    return { model: session.info.name, promptTokens: tokens.length, candidates, sampled: sampled === null ? null : piece(session, sampled, tokens) };
  }
}
