import type { ReplySegment } from '../api';
import type { ReplyText } from '../history';

/** How long streamed text may sit in memory before it is written: a crash loses at most this much. */
export const streamingWriteIntervalMs = 250;

/**
 * Deltas after the first are sent at most this often. Each event costs a browser page about as much CPU
 * as a small model spends on a token (half a millisecond or more, measured in the decode benchmark), and
 * the page applies deltas 50 ms after the first one it holds (messageList's flush): at 32 ms it showed
 * them two at a time, every ~65 ms, which is the pace this interval gives with half the events.
 */
export const deltaIntervalMs = 64;

/** Writes that fail in a row before the reply is stopped (about a second of trying at the write interval). */
export const maxFailedWrites = 4;

export interface ReplyStreamSink {
  /** Sends new text of one segment to clients (the `chat.delta` event). */
  send(delta: string, outputTokens: number, segment: ReplySegment): void;
  /** Writes the whole reply so far to history; may throw (disk full, database locked). */
  write(text: ReplyText): void;
  /** Writes kept failing: the reply should stop, with this error as the reason. */
  giveUp(error: unknown): void;
}

/**
 * One streaming reply's text, its thought and its answer: the first delta goes out at once (time to
 * first token is what people feel), the rest in small batches of one segment each; the text is written
 * to history every `streamingWriteIntervalMs`. A failed write keeps the text in memory and is tried
 * again at the next interval.
 */
export class ReplyStream {
  private unsent = '';
  private unsentSegment: ReplySegment = 'answer';
  private unsentTokens = 0;
  private sentAny = false;
  private sendTimer: NodeJS.Timeout | null = null;
  private writeTimer: NodeJS.Timeout | null = null;
  private failedWrites = 0;
  private closed = false;

  constructor(
    /** The reply so far: what the message held before (a continuation) plus what arrived. */
    public text: ReplyText,
    private readonly sink: ReplyStreamSink
  ) {}

  append(delta: string, outputTokens: number, segment: ReplySegment): void {
    if (this.closed) return;
    // A batch is one segment's text: the answer's first words are sent apart from the thought's last.
    if (this.unsent !== '' && segment !== this.unsentSegment) this.send();
    if (segment === 'thought') this.text = { ...this.text, thought: this.text.thought + delta };
    else this.text = { ...this.text, content: this.text.content + delta };
    this.unsent += delta;
    this.unsentSegment = segment;
    this.unsentTokens = outputTokens;
    if (!this.sentAny) this.send();
    else this.sendTimer ??= setTimeout(() => this.send(), deltaIntervalMs);
    this.writeTimer ??= setTimeout(() => this.write(), streamingWriteIntervalMs);
  }

  /** Stops the timers and sends what is still held, so it goes out before the reply's end is announced. */
  close(): void {
    this.closed = true;
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.send();
  }

  private send(): void {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    if (this.unsent === '') return;
    this.sink.send(this.unsent, this.unsentTokens, this.unsentSegment);
    this.unsent = '';
    this.sentAny = true;
  }

  private write(): void {
    this.writeTimer = null;
    try {
      this.sink.write(this.text);
      this.failedWrites = 0;
    } catch (error) {
      if (++this.failedWrites >= maxFailedWrites) this.sink.giveUp(error);
      else if (!this.closed) this.writeTimer = setTimeout(() => this.write(), streamingWriteIntervalMs);
    }
  }
}
