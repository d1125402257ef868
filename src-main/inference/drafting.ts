import {
  DraftSequenceTokenPredictor,
  InputLookupTokenPredictor,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel
} from 'node-llama-cpp';
import { ApiError } from '../api';
import type { LoadedSession } from './session';

/** Speculative drafting for a run, with a draft model already resolved to its file. */
export type DraftingRequest = { kind: 'off' } | { kind: 'promptLookup' } | { kind: 'model'; name: string; path: string };

interface DraftModel {
  model: LlamaModel;
  context: LlamaContext;
}

/**
 * The chat's sequence (sequence 0) with the token predictor its runs ask for. A sequence's predictor is
 * fixed when the sequence is made, so another kind of drafting replaces the sequence (and loads the draft
 * model for it); runs that ask for the same kind keep the sequence and its cached prefix.
 */
export class ChatSequence {
  private sequence: LlamaContextSequence;
  private kind = 'off';
  private draft: DraftModel | null = null;

  constructor(private readonly context: LlamaContext) {
    this.sequence = context.getSequence();
  }

  /** The sequence to run on with `drafting`; call only while holding the chat's sequence. */
  async with(llama: Llama, session: LoadedSession, drafting: DraftingRequest): Promise<LlamaContextSequence> {
    const key = drafting.kind === 'model' ? `model:${drafting.path}` : drafting.kind;
    if (key === this.kind) return this.sequence;
    // The draft model is opened (and checked) first: a refused draft leaves the sequence as it was.
    const draft = drafting.kind === 'model' ? await openDraft(llama, session, drafting) : null;
    await this.sequence.dispose();
    await this.releaseDraft();
    this.draft = draft;
    if (draft) {
      const predictor = new DraftSequenceTokenPredictor(draft.context.getSequence(), {
        minTokens: 0,
        maxTokens: 8,
        // A reply's token bias belongs to the target model's vocabulary object; the draft proposes freely and the target decides.
        evaluateOptions: { tokenBias: undefined }
      });
      this.sequence = this.context.getSequence({ tokenPredictor: predictor });
    } else {
      this.sequence = this.context.getSequence(drafting.kind === 'promptLookup' ? { tokenPredictor: new InputLookupTokenPredictor() } : undefined);
    }
    this.kind = key;
    return this.sequence;
  }

  async dispose(): Promise<void> {
    await this.sequence.dispose();
    await this.releaseDraft();
  }

  private async releaseDraft(): Promise<void> {
    const draft = this.draft;
    this.draft = null;
    await draft?.context.dispose();
    await draft?.model.dispose();
  }
}

/** Opens a draft model after checking it tokenizes like the target (speculation needs one vocabulary). */
async function openDraft(llama: Llama, session: LoadedSession, drafting: { name: string; path: string }): Promise<DraftModel> {
  const model = await llama.loadModel({ modelPath: drafting.path });
  try {
    const probe = 'Once upon a time, 42 cats said: "Hello, world!"\n';
    const sameVocabulary =
      model.tokens.bos === session.model.tokens.bos &&
      model.tokens.eos === session.model.tokens.eos &&
      model.tokenize(probe).join() === session.model.tokenize(probe).join();
    if (!sameVocabulary) {
      throw new ApiError('SETTINGS_INVALID', `The draft model ${drafting.name} has a different vocabulary from ${session.info.name}; speculative decoding needs a model with the same tokenizer.`);
    }
    const context = await model.createContext({ contextSize: Math.min(session.info.contextSize, model.trainContextSize), threads: session.info.threads });
    return { model, context };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}
