/**
 * Prefix reuse on the 1B shape: conversations of five turns through the app (chat.send from the page,
 * replies of `replyTokens` tokens at temperature 0). A reply should evaluate only what is new since the
 * last one: the user's message and the chat template's turn markers around it; the history before it
 * is still in the context sequence. Before each turn, chat.context counts the prompt as the app will
 * render it, without the new message (the history, previous reply included) and with it.
 */
import { pageReply } from './decode.mjs';
import { log, median, ms } from './lib.mjs';

export const replyTokens = 40;
// Equal lengths, so that the first and the last turn have as much new text to evaluate.
const messages = ['Tell me a story about a fox.', 'What was the fox called now?', 'Where did the fox live then?', 'Who were the friends it met?', 'How does the story end, then?'];
// Each conversation's messages start with its own letter: its first turn then reuses as much of the
// conversation evaluated before it as the others do (the template's opening), no more.
const letters = ['A', 'B', 'C'];

/**
 * One conversation; per turn: promptTokens (the whole prompt), prefillTokens (what the reply
 * evaluated: the message metrics), newTokens (the prompt less the history as re-rendered: the message
 * and its markers), renderedReplyTokens (the previous reply as re-rendered, against the previous
 * turn's outputTokens; both null on the first turn), outputTokens, and TTFT at the page and as the
 * server measured it (ms).
 */
async function conversation(server, page, model, letter) {
  const { id } = await server.call('conversations.create', { title: `Prefix reuse ${letter}`, model, settings: { temperature: 0, maxTokens: replyTokens, stopAtEos: false } });
  const turns = [];
  for (const [index, message] of messages.entries()) {
    const content = `${letter}. ${message}`;
    // An empty conversation's prompt is the opening of a reply, no prefix of the first turn's: nothing to subtract.
    const history = index === 0 ? null : await server.call('chat.context', { conversationId: id });
    const next = await server.call('chat.context', { conversationId: id, draft: content });
    const reply = await pageReply(page, id, content);
    if (reply.status !== 'complete' || reply.deltas.length === 0) throw new Error(`turn ${index + 1}'s reply ended ${reply.status}`);
    const previous = turns.at(-1);
    const turn = {
      promptTokens: reply.metrics.promptTokens,
      prefillTokens: reply.metrics.prefillTokens,
      newTokens: history ? next.promptTokens - history.promptTokens : null,
      renderedReplyTokens: history ? history.promptTokens - previous.promptTokens : null,
      outputTokens: reply.metrics.outputTokens,
      ttft: reply.deltas[0][0] - reply.sentAt,
      serverTtft: reply.metrics.ttftMs
    };
    if (turn.promptTokens !== next.promptTokens) throw new Error(`turn ${index + 1}: chat.context counted ${next.promptTokens} prompt tokens, the reply ${turn.promptTokens}`);
    turns.push(turn);
    log(
      `prefix reuse ${letter} turn ${index + 1}: prompt ${turn.promptTokens} tokens, prefilled ${turn.prefillTokens} ` +
        `(${previous ? `new message + markers ${turn.newTokens}; previous reply: ${previous.outputTokens} tokens generated, ${turn.renderedReplyTokens} as re-rendered` : 'a new conversation'}), ` +
        `${turn.outputTokens} generated · ttft ${ms(turn.ttft)} ms at the page (server ${ms(turn.serverTtft)} ms)`
    );
  }
  return turns;
}

/**
 * Three conversations, one after the other. Returns each conversation's turns (see `conversation`)
 * and the medians over the conversations of the first and the last turn's TTFT at the page (ms).
 */
export async function measurePrefixReuse(server, page, model) {
  const conversations = [];
  for (const letter of letters) conversations.push(await conversation(server, page, model, letter));
  return {
    conversations,
    firstTtft: median(conversations.map((turns) => turns[0].ttft)),
    lastTtft: median(conversations.map((turns) => turns.at(-1).ttft))
  };
}
