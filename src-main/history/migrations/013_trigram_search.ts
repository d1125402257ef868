/**
 * The code points whose text goes into the trigram indexes: Thai, Hangul, the CJK ideographs (with
 * their radicals, iteration marks and numerals), kana and Bopomofo, halfwidth forms included. Search
 * reads them too (see search.ts), so the two always agree on which text the indexes hold.
 */
export const trigramScripts: readonly (readonly [number, number])[] = [
  [0x0e00, 0x0e7f], // Thai
  [0x1100, 0x11ff], // Hangul Jamo
  [0x2e80, 0x2fdf], // CJK and Kangxi radicals
  [0x3005, 0x3007], // 々 〆 〇
  [0x3021, 0x3029], // Hangzhou numerals
  [0x3031, 0x3035], // kana repeat marks
  [0x3038, 0x303c], // more Hangzhou numerals, 〻 〼
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x3100, 0x318f], // Bopomofo, Hangul compatibility Jamo
  [0x31a0, 0x31bf], // Bopomofo extended
  [0x31f0, 0x31ff], // Katakana phonetic extensions
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7ff], // Hangul syllables, Jamo extended B
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xff66, 0xffdc], // halfwidth Katakana and Hangul
  [0x1b000, 0x1b16f], // kana supplement and extensions
  [0x20000, 0x3ffff] // CJK extensions B to H, compatibility supplement
];

/** A GLOB that matches text holding at least one of those code points (SQLite compares ranges by code point). */
const hasTrigramScript = `'*[${trigramScripts.map(([from, to]) => `${String.fromCodePoint(from)}-${String.fromCodePoint(to)}`).join('')}]*'`;

/**
 * Chinese, Japanese and Thai put no spaces between words, and Korean attaches particles to its nouns, so
 * the word indexes (unicode61) hold a run of such text as one word: `東京` was not found in
 * `私は東京に住んでいます`. Trigram indexes beside them find any substring of three characters or more
 * (search scans the text for shorter ones). They hold only the answers and thoughts with text in these
 * scripts, so a history in other scripts pays nothing for them. They are contentless with deletes by
 * rowid: what they hold is chosen here, not by the messages table, so FTS5's `rebuild` (which would
 * index every message) cannot apply to them, and a delete needs no copy of the old text.
 *
 * Why trigram tables rather than bigrams of such text written into the word index: FTS5 has no bigram
 * tokenizer, and a trigger cannot split text into characters without an application-defined function,
 * which every connection that writes the file (the sqlite3 shell, a recovery) would then need; the
 * expanded text would also change what the word index holds and how it ranks Latin text. The trigram
 * tokenizer ships in the SQLite that better-sqlite3 13 bundles (3.54; trigram needs 3.34,
 * contentless_delete 3.43, the trigram tokenizer's remove_diacritics 3.45) and plain triggers keep it in
 * step, as they do the word indexes.
 */
export const trigramSearch = `
CREATE VIRTUAL TABLE messages_trigram USING fts5 (
  content,
  content = '',
  contentless_delete = 1,
  tokenize = 'trigram remove_diacritics 1'
);
CREATE VIRTUAL TABLE thoughts_trigram USING fts5 (
  thought,
  content = '',
  contentless_delete = 1,
  tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO messages_trigram (rowid, content) SELECT id, content FROM messages WHERE content GLOB ${hasTrigramScript};
INSERT INTO thoughts_trigram (rowid, thought) SELECT id, thought FROM messages WHERE thought GLOB ${hasTrigramScript};
CREATE TRIGGER messages_trigram_insert AFTER INSERT ON messages WHEN new.content GLOB ${hasTrigramScript} BEGIN
  INSERT INTO messages_trigram (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_trigram_delete AFTER DELETE ON messages WHEN old.content GLOB ${hasTrigramScript} BEGIN
  DELETE FROM messages_trigram WHERE rowid = old.id;
END;
CREATE TRIGGER messages_trigram_update AFTER UPDATE OF content ON messages BEGIN
  DELETE FROM messages_trigram WHERE rowid = old.id AND old.content GLOB ${hasTrigramScript};
  INSERT INTO messages_trigram (rowid, content) SELECT new.id, new.content WHERE new.content GLOB ${hasTrigramScript};
END;
CREATE TRIGGER thoughts_trigram_insert AFTER INSERT ON messages WHEN new.thought GLOB ${hasTrigramScript} BEGIN
  INSERT INTO thoughts_trigram (rowid, thought) VALUES (new.id, new.thought);
END;
CREATE TRIGGER thoughts_trigram_delete AFTER DELETE ON messages WHEN old.thought GLOB ${hasTrigramScript} BEGIN
  DELETE FROM thoughts_trigram WHERE rowid = old.id;
END;
CREATE TRIGGER thoughts_trigram_update AFTER UPDATE OF thought ON messages BEGIN
  DELETE FROM thoughts_trigram WHERE rowid = old.id AND old.thought GLOB ${hasTrigramScript};
  INSERT INTO thoughts_trigram (rowid, thought) SELECT new.id, new.thought WHERE new.thought GLOB ${hasTrigramScript};
END;
`;
