/**
 * SentencePiece's byte-fallback pieces, `<0x00>` to `<0xFF>` (llama.cpp token type 6): a character a
 * generated model's vocabulary lacks is spelt with its UTF-8 bytes through them.
 */
export const byteTokenTexts: readonly string[] = Array.from({ length: 256 }, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
