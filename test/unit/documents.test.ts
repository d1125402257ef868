import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src-main/api';
import { chunkBlocks, documentContext, estimateTokens, extractDocument, fuseRankings, keywordWords, withDocuments, type ContextPiece } from '../../src-main/documents';
import { docxWithHeadings, encryptedPdf, scannedPdf, textPdf } from '../fixtures/documents';

const limits = { maxFileBytes: 1024 * 1024, maxPages: 50 };
const text = (value: string) => new TextEncoder().encode(value);
const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof ApiError ? { code: error.code, message: error.message } : error));

describe('extraction: text from each kind of file, or a typed refusal that says why', () => {
  it('reads plain text and code as paragraphs, Markdown with its heading path, outside code fences only', async () => {
    expect((await extractDocument('notes.txt', text('First line\nsame paragraph.\n\nSecond.'), limits)).blocks).toEqual([
      { text: 'First line\nsame paragraph.', page: null, headings: [] },
      { text: 'Second.', page: null, headings: [] }
    ]);
    expect((await extractDocument('build.py', text('# a comment, not a heading\nprint(1)\n'), limits)).blocks).toEqual([{ text: '# a comment, not a heading\nprint(1)', page: null, headings: [] }]);
    const markdown = await extractDocument('guide.md', text('# Guide\n\nIntro.\n\n## Install\n\n```sh\n# not a heading\nnpm ci\n```\n\n### Linux\n\nUse apt.\n\n## Use\n\nRun it.'), limits);
    expect(markdown.kind).toBe('markdown');
    expect(markdown.blocks.map((block) => [block.headings.join(' / '), block.text])).toEqual([
      ['Guide', 'Intro.'],
      ['Guide / Install', '```sh\n# not a heading\nnpm ci\n```'],
      ['Guide / Install / Linux', 'Use apt.'],
      ['Guide / Use', 'Run it.']
    ]);
  });

  it('reads HTML as text only: scripts and styles are skipped, entities decoded, headings kept', async () => {
    const html = '<html><head><title>T</title><style>p{}</style></head><body><h1>Menu &amp; prices</h1><p>Soup <b>4&nbsp;€</b></p><script>alert("x")</script><ul><li>Bread</li></ul></body></html>';
    const { blocks } = await extractDocument('menu.html', text(html), limits);
    expect(blocks).toEqual([
      { text: 'Soup 4 €', page: null, headings: ['Menu & prices'] },
      { text: 'Bread', page: null, headings: ['Menu & prices'] }
    ]);
  });

  it('reads a PDF page by page, and a DOCX with its headings', async () => {
    const pdf = await extractDocument('report.pdf', await textPdf([['Page one text.'], ['Page two holds the zorblax code 4471.']]), limits);
    expect(pdf).toMatchObject({ kind: 'pdf', pages: 2 });
    expect(pdf.blocks.map((block) => [block.page, block.text])).toEqual([
      [1, 'Page one text.'],
      [2, 'Page two holds the zorblax code 4471.']
    ]);
    const docx = await extractDocument('policy.docx', await docxWithHeadings(), limits);
    expect(docx.blocks).toEqual([
      { text: 'Trains are booked in second class.', page: null, headings: ['Travel policy'] },
      { text: 'A hotel night costs at most 140 euros.', page: null, headings: ['Travel policy', 'Hotels'] }
    ]);
  });

  it('refuses a scanned PDF, an encrypted PDF, a wrong type, a file that lies about its type, and files over the limits', async () => {
    expect(await refusal(extractDocument('scan.pdf', await scannedPdf(), limits))).toEqual({ code: 'IMPORT_INVALID', message: expect.stringMatching(/none of its 2 pages have a text layer: it looks scanned.*no OCR/) });
    expect(await refusal(extractDocument('locked.pdf', await encryptedPdf(), limits))).toEqual({ code: 'IMPORT_INVALID', message: expect.stringMatching(/encrypted with a password/) });
    expect(await refusal(extractDocument('photo.jpg', new Uint8Array([0xff, 0xd8, 0xff, 0, 1]), limits))).toEqual({ code: 'IMPORT_INVALID', message: expect.stringMatching(/photo\.jpg cannot be read: Hearth reads text, Markdown, code, HTML, PDF and DOCX/) });
    expect(await refusal(extractDocument('fake.pdf', text('hello'), limits))).toEqual({ code: 'IMPORT_INVALID', message: expect.stringMatching(/named \.pdf but is not a PDF/) });
    expect(await refusal(extractDocument('fake.docx', text('hello'), limits))).toEqual({ code: 'IMPORT_INVALID', message: expect.stringMatching(/not a Word document/) });
    expect(await refusal(extractDocument('empty.md', text('\n\n'), limits))).toEqual({ code: 'IMPORT_INVALID', message: 'empty.md cannot be read: it holds no text.' });
    expect(await refusal(extractDocument('big.txt', new Uint8Array(2048).fill(65), { ...limits, maxFileBytes: 1024 }))).toMatchObject({ code: 'TOO_LARGE' });
    const long = await textPdf([['a'], ['b'], ['c']]);
    expect(await refusal(extractDocument('long.pdf', long, { ...limits, maxPages: 2 }))).toEqual({ code: 'TOO_LARGE', message: expect.stringMatching(/long\.pdf has 3 pages; documents may have at most 2/) });
  });
});

describe('chunking', () => {
  const words = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `w${from + index}`).join(' ');
  const countWords = (value: string) => value.split(/\s+/).filter(Boolean).length;

  it('packs whole paragraphs up to the size, cuts a long one at sentences, overlaps within a section, never crosses a page or a heading', () => {
    const long = Array.from({ length: 6 }, (_, index) => `${words(4, index * 4)}.`).join(' ');
    const chunks = chunkBlocks(
      [
        { text: words(3), page: 1, headings: [] },
        { text: words(3, 3), page: 1, headings: [] },
        { text: long, page: 1, headings: [] },
        { text: words(2, 90), page: 2, headings: [] },
        { text: words(2, 95), page: 2, headings: ['A', 'B'] }
      ],
      { chunkTokens: 10, overlapTokens: 4, countTokens: countWords }
    );
    expect(chunks.map((chunk) => [chunk.page, chunk.heading, chunk.text])).toEqual([
      [1, '', 'w0 w1 w2\n\nw3 w4 w5\n\nw0 w1 w2 w3.'],
      [1, '', 'w0 w1 w2 w3. w4 w5 w6 w7.'],
      [1, '', 'w4 w5 w6 w7. w8 w9 w10 w11.'],
      [1, '', 'w8 w9 w10 w11. w12 w13 w14 w15.'],
      [1, '', 'w12 w13 w14 w15. w16 w17 w18 w19.'],
      [1, '', 'w16 w17 w18 w19. w20 w21 w22 w23.'],
      [2, '', 'w90 w91'],
      [2, 'A › B', 'w95 w96']
    ]);
    expect(chunks.every((chunk) => chunk.tokens <= 10)).toBe(true);
    expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, index) => index));
  });

  it('cuts a sentence longer than a chunk at spaces, and estimates four characters a token without a model', () => {
    const chunks = chunkBlocks([{ text: words(25), page: null, headings: [] }], { chunkTokens: 10, overlapTokens: 0, countTokens: countWords });
    expect(chunks.map((chunk) => chunk.tokens)).toEqual([10, 10, 5]);
    expect(estimateTokens('12345678')).toBe(2);
  });
});

describe('retrieval pieces', () => {
  it('fuses by reciprocal rank: a chunk both lists found outranks one found by either, and each keeps its ranks', () => {
    const fused = fuseRankings([{ chunkId: 1 }, { chunkId: 2 }], [{ chunkId: 3 }, { chunkId: 2 }], 10);
    expect(fused.map((hit) => hit.chunkId)).toEqual([2, 1, 3]);
    expect(fused[0]).toEqual({ chunkId: 2, score: 1 / 62 + 1 / 62, keywordRank: 2, vectorRank: 2 });
    expect(fused[2]).toMatchObject({ keywordRank: null, vectorRank: 1 });
  });

  it('keeps a question\'s distinct words, lower case, without FTS5 syntax', () => {
    expect(keywordWords('What is "NEAR" AND code*? What')).toEqual(['what', 'is', 'near', 'and', 'code']);
    expect(keywordWords('?! …')).toEqual([]);
  });

  it('gives whole documents when they fit the budget, else the best chunks that fit, each with its marker', () => {
    const piece = (name: string, text: string, page: number | null, chunkId: number | null): ContextPiece => ({ documentId: 1, name, page, heading: chunkId ? 'Intro' : '', chunkId, score: chunkId ? 0.03 : null, text, tokens: text.length });
    const whole = [piece('a.pdf', 'page one', 1, null), piece('a.pdf', 'page two', 2, null)];
    const fits = documentContext(whole, [], 100);
    expect(fits.whole).toBe(true);
    expect(fits.text).toContain('[1] a.pdf, page 1\npage one\n\n[2] a.pdf, page 2\npage two');
    expect(fits.sources.map((source) => [source.marker, source.page, source.chunkId])).toEqual([
      [1, 1, null],
      [2, 2, null]
    ]);
    const chunks = [piece('a.pdf', 'x'.repeat(8), 2, 7), piece('a.pdf', 'y'.repeat(30), 1, 8), piece('b.md', 'z'.repeat(4), null, 9)];
    const best = documentContext(whole, chunks, 12);
    expect(best.whole).toBe(false);
    expect(best.sources.map((source) => source.chunkId)).toEqual([7, 9]);
    expect(withDocuments('What?', best)).toMatch(/^Answer from these documents\. Cite them by their numbers, like \[1\]\.\n\n\[1\] a\.pdf, page 2, Intro\nxxxxxxxx\n\n\[2\] b\.md, Intro\nzzzz\n\nQuestion: What\?$/);
    expect(withDocuments('What?', documentContext([], [], 10))).toBe('What?');
  });
});
