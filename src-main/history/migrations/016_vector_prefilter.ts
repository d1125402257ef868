/**
 * Vectors move out of sqlite-vec's `vec0` table into two plain tables: each chunk's float vector, and its
 * sign bits (`vec_quantize_binary`, 1 bit a number). Over 100,000 chunks `vec0`'s exact KNN took ~50 ms
 * on two shared cores, and its own KNN over bits grew with k (≥ 20 ms for 200); a full scan of the small
 * bits table by Hamming distance takes ~9 ms for 400 candidates, and rescoring those by exact cosine
 * from the float table ~1 ms. Plain tables also take foreign keys, so deleting a chunk deletes its vectors.
 * The old table's vectors cannot be copied by a fixed SQL statement (their dimension is the model's), so
 * its chunks count as not embedded and the indexer embeds them again in the background.
 * `chunks_vocabulary` gives each word's chunk count, so searches can leave out words in most chunks.
 */
export const vectorPrefilter = `
DROP TABLE IF EXISTS chunk_vectors;
DELETE FROM vector_space;
UPDATE chunks SET embedded_with = '';
CREATE TABLE chunk_vectors (
  chunk_id INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
  embedding BLOB NOT NULL
);
CREATE TABLE chunk_signs (
  chunk_id INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
  bits BLOB NOT NULL
);
CREATE VIRTUAL TABLE chunks_vocabulary USING fts5vocab (chunks_fts, 'row');
`;
