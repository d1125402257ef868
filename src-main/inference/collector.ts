import type { ChatModelSegmentType, LlamaChatResponseChunk, LlamaContextSequence, Token } from 'node-llama-cpp';
import type { ReplySegment } from '../api';
import type { ReplyClock } from './metrics';

/**
 * Turns node-llama-cpp's callbacks into a reply: its thought and its answer, the deltas streamed as they
 * come, and the clock's readings. Tokens are counted by the sequence's token meter (every sampled token,
 * thought markers included), because a chunk's own token list is not exact while text is held back to
 * match a segment's markers; answer tokens come from `onToken`, which leaves out a final end-of-text
 * token and text held for stop triggers.
 */
export class ReplyCollector {
  thought = '';
  answer = '';
  private readonly outputBefore: number;
  private readonly inputBefore: number;
  /** Generated tokens the clock has been given. */
  private counted = 0;
  /** The reply is in a segment: its answer has not started. */
  private thinking: boolean;
  /** The kind of the last segment, to label a change of kind. */
  private segmentType: ChatModelSegmentType = 'thought';

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly clock: ReplyClock,
    /** The prompt as rendered for the model (the context meter counts the same). */
    private readonly promptTokens: number,
    private readonly onDelta?: (delta: string, outputTokens: number, segment: ReplySegment) => void,
    /** The reply continues a thought written earlier: its answer, too, starts after the blank line. */
    private readonly afterThought = false
  ) {
    this.thinking = afterThought;
    this.outputBefore = sequence.tokenMeter.usedOutputTokens;
    this.inputBefore = sequence.tokenMeter.usedInputTokens;
  }

  /**
   * A chunk of a chat model's response: a segment's or the answer's text. Every segment is kept with the
   * thought; one of another kind (gpt-oss's commentary) is labelled where it starts, so it is not read
   * as thinking.
   */
  chunk(chunk: LlamaChatResponseChunk): void {
    if (chunk.type !== 'segment') {
      this.add('answer', chunk.text);
      return;
    }
    this.advance('thought');
    if (chunk.segmentType !== this.segmentType && chunk.segmentType !== 'thought') this.add('thought', `${this.thought ? '\n\n' : ''}[${chunk.segmentType}]\n`);
    this.segmentType = chunk.segmentType;
    this.add('thought', chunk.text);
  }

  /** Answer tokens as they are generated. */
  answerTokens(tokens: Token[]): void {
    if (tokens.length > 0) this.advance('answer', tokens.length);
  }

  /** A base model's continuation text (it has no segments). */
  answerText(text: string): void {
    this.add('answer', text);
  }

  /** Tokens generated so far, by the meter. */
  private get generated(): number {
    return this.sequence.tokenMeter.usedOutputTokens - this.outputBefore;
  }

  /** Gives the clock what the meter counted since the last reading; `answerCount` is exact for answer tokens. */
  private advance(segment: ReplySegment, answerCount?: number): void {
    const generated = this.generated;
    const fresh = answerCount ?? generated - this.counted;
    if (fresh <= 0) return;
    // Generated tokens are the meter's output, never its input: the input so far is what the prompt needed evaluated.
    let prompt = this.counted === 0 ? { promptTokens: this.promptTokens, prefillTokens: this.sequence.tokenMeter.usedInputTokens - this.inputBefore } : undefined;
    // Tokens the meter counted before the first answer tokens of a thinking reply (the thought's closing
    // marker) belong to the thought. Once the answer runs, onToken's count is exact and the meter's
    // surplus (speculative decoding's checks) is no one's.
    const closing = answerCount !== undefined && this.thinking ? generated - answerCount - this.counted : 0;
    if (closing > 0) {
      this.clock.tokens(closing, 'thought', prompt);
      prompt = undefined;
    }
    this.thinking = segment === 'thought';
    this.clock.tokens(fresh, segment, prompt);
    this.counted = Math.max(generated, this.counted + fresh);
  }

  private add(segment: ReplySegment, text: string): void {
    // An answer after a thought starts after the blank line that separates them.
    const shown = segment === 'answer' && this.answer === '' && (this.thought !== '' || this.afterThought) ? text.replace(/^\s+/, '') : text;
    if (shown === '') return;
    if (segment === 'thought') this.thought += shown;
    else this.answer += shown;
    this.onDelta?.(shown, this.clock.emittedTokens, segment);
  }
}
