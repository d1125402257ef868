const intervalMs = 1500;

/**
 * What a screen reader hears of a streaming reply: a polite live region updated at most every
 * ~1.5 s with the text added since the previous announcement (never once per token).
 */
export class Announcer {
  text = $state('');
  private announced = new Map<number, number>();
  private latest: { id: number; content: string } | null = null;
  private lastAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private suffix = '';
  private readonly thinkingAnnounced = new Set<number>();

  /** Called whenever a streaming message's text grows. */
  update(messageId: number, content: string): void {
    this.latest = { id: messageId, content };
    this.schedule(intervalMs);
  }

  /** Called when a reply starts thinking: said once, not per thought token. */
  thinking(messageId: number): void {
    if (this.thinkingAnnounced.has(messageId)) return;
    this.thinkingAnnounced.add(messageId);
    this.text = 'Thinking…';
    this.lastAt = Date.now();
  }

  /** Called when the reply ends: say what is left (no sooner than the interval allows), then the outcome. */
  finish(messageId: number, content: string, outcome: string): void {
    this.latest = { id: messageId, content };
    this.suffix = outcome;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.schedule(Math.max(0, this.lastAt + intervalMs - Date.now()));
  }

  private schedule(delay: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.emit(), delay);
  }

  private emit(): void {
    this.timer = null;
    if (!this.latest) return;
    const { id, content } = this.latest;
    const from = this.announced.get(id) ?? 0;
    const added = content.slice(from).trim();
    const message = [added, this.suffix].filter(Boolean).join(' ');
    this.suffix = '';
    this.announced.set(id, content.length);
    if (!message) return;
    this.text = message;
    this.lastAt = Date.now();
  }
}
