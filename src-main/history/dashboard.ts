import { messageMetricsSchema, type MessageMetrics, type ReplyFilters, type ReplyRecord } from '../api';
import type { Db } from './db';
import { messageColumns, toMessage, type MessageRow } from './rows';

const defaultLimit = 10_000;

/** The filters as SQL conditions on a table whose model and time columns are named as given. */
function conditionsOf(filters: ReplyFilters, columns: { model: string; createdAt: string }): { where: string[]; values: (string | number)[] } {
  const where: string[] = [];
  const values: (string | number)[] = [];
  if (filters.model !== undefined) {
    where.push(`${columns.model} = ?`);
    values.push(filters.model);
  }
  if (filters.since !== undefined) {
    where.push(`${columns.createdAt} >= ?`);
    values.push(filters.since);
  }
  if (filters.until !== undefined) {
    where.push(`${columns.createdAt} <= ?`);
    values.push(filters.until);
  }
  return { where, values };
}

/** What each reply and API request cost, for the dashboard and its CSV export. */
export class ReplyRecords {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  /**
   * Replies measured on this machine in conversations not in the trash, and API requests (the newest
   * `limit`), oldest first. Imported replies keep their figures but are not counted here.
   */
  list(filters: ReplyFilters = {}): ReplyRecord[] {
    const limit = filters.limit ?? defaultLimit;
    const chats = conditionsOf(filters, { model: 'mm.model', createdAt: 'm.created_at' });
    const rows = this.db
      .prepare(
        `SELECT ${messageColumns}, c.title AS conversation_title
         FROM messages m JOIN message_metrics mm ON mm.message_id = m.id JOIN conversations c ON c.id = m.conversation_id
         WHERE ${['c.deleted_at IS NULL', 'mm.imported = 0', ...chats.where].join(' AND ')} ORDER BY m.created_at DESC, m.id DESC LIMIT ?`
      )
      .all(...chats.values, limit) as (MessageRow & { conversation_title: string })[];
    const replies: ReplyRecord[] = rows.map((row) => ({
      messageId: row.id,
      conversationId: row.conversation_id,
      conversationTitle: row.conversation_title,
      createdAt: row.created_at,
      metrics: toMessage(row).metrics!
    }));
    const api = conditionsOf(filters, { model: 'model', createdAt: 'created_at' });
    const apiRows = this.db
      .prepare(`SELECT * FROM api_requests ${api.where.length ? `WHERE ${api.where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...api.values, limit) as { id: number; created_at: number; endpoint: string; metrics: string }[];
    // API requests stored without their text carry negative ids: they have no message to open.
    const requests: ReplyRecord[] = apiRows.flatMap((row) => {
      const metrics = messageMetricsSchema.safeParse(JSON.parse(row.metrics));
      return metrics.success ? [{ messageId: -row.id, conversationId: 0, conversationTitle: `API ${row.endpoint}`, createdAt: row.created_at, metrics: metrics.data }] : [];
    });
    // The newest `limit` of both, returned oldest first as charts draw them.
    return [...replies, ...requests]
      .sort((a, b) => b.createdAt - a.createdAt || b.messageId - a.messageId)
      .slice(0, limit)
      .reverse();
  }

  /** An OpenAI API request's figures, for the dashboard, when its text is not kept. */
  recordApiRequest(endpoint: string, metrics: MessageMetrics): void {
    this.db.prepare('INSERT INTO api_requests (created_at, endpoint, model, metrics) VALUES (?, ?, ?, ?)').run(this.now(), endpoint, metrics.model, JSON.stringify(metrics));
  }
}
