import type { ChatModelSegmentType, LlamaChatResponseChunk, LlamaContextSequence, Token } from 'node-llama-cpp';
import type { ReplySegment } from '../api';
import type { ReplyClock } from './metrics';
import { StopMatcher } from './stop';

export interface CollectorOptions {
  /** New text of one segment, with the tokens generated so far. */
  onDelta?: (delta: string, outputTokens: number, segment: ReplySegment) => void;
  /** The reply continues a thought written earlier: its answer, too, starts after the blank line. */
  afterThought?: boolean;
  /** Stop strings, matched on the answer's text (see stop.ts); a thought is never cut by one. */
  stops?: readonly string[];
  /** A stop string matched: generation should end now. */
  onStop?: () => void;
}

/**
 * Turns node-llama-cpp's callbacks into a reply: its thought and its answer, the deltas streamed as they
 * come, and the clock's readings. Tokens are counted by the sequence's token meter (every sampled token,
 * thought markers included), because a chunk's own token list is not exact while text is held back to
 * match a segment's markers; answer tokens come from `onToken`, which leaves out a final end-of-text
 * token. The answer's text passes through the stop strings' matcher, which holds back a tail that could
 * still become one: call `finish` at the end to release it.
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
  /** Answer text has arrived (some of it may still be held by the stop matcher). */
  private answering = false;
  private readonly stops: StopMatcher;

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly clock: ReplyClock,
    /** The prompt as rendered for the model (the context meter counts the same). */
    private readonly promptTokens: number,
    private readonly options: CollectorOptions = {}
  ) {
    this.thinking = options.afterThought ?? false;
    this.stops = new StopMatcher(options.stops ?? []);
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

  /** The stop string that ended the answer, if one did. */
  get stopSequence(): string | null {
    return this.stops.stop;
  }

  /** At the end of generation: releases the answer's text held back for a stop string that never came. */
  finish(): void {
    this.emit('answer', this.stops.flush());
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
    if (segment === 'thought') return this.emit('thought', text);
    // An answer after a thought starts after the blank line that separates them.
    const answer = !this.answering && (this.thought !== '' || this.options.afterThought) ? text.replace(/^\s+/, '') : text;
    if (answer === '') return;
    this.answering = true;
    const stoppedBefore = this.stops.stop !== null;
    this.emit('answer', this.stops.push(answer));
    if (!stoppedBefore && this.stops.stop !== null) this.options.onStop?.();
  }

  private emit(segment: ReplySegment, text: string): void {
    if (text === '') return;
    if (segment === 'thought') this.thought += text;
    else this.answer += text;
    this.options.onDelta?.(text, this.clock.emittedTokens, segment);
  }
}
