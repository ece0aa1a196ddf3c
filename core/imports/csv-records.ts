import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { FileSource } from './import-files';


export interface CsvRecord {
  record: string[];
  /** `lines`: the line the record ends on (1 is the header); `bytes`: bytes read so far. */
  info: { lines: number; bytes: number };
}

/**
 * The records of a CSV file as they are parsed from its chunks, one chunk in memory at a time. The
 * delimiter is read off the header line first. A chunk source that fails fails the iteration.
 */
export async function csvRecords(source: FileSource): Promise<AsyncIterable<CsvRecord>> {
  const { firstLine, chunks } = await splitFirstLine(source);
  const parser = parse({ bom: true, delimiter: detectDelimiter(firstLine), relax_column_count: true, skip_empty_lines: true, info: true });
  // One chunk read ahead at most: a stored file comes out of the database 1 MB at a time.
  pipeline(Readable.from(chunks, { highWaterMark: 1 }), parser, () => undefined);
  return parser as AsyncIterable<CsvRecord>;
}

/** `;` files come from spreadsheets in locales where `,` is the decimal separator. */
export function detectDelimiter(csv: string): string {
  const firstLine = csv.slice(0, csv.indexOf('\n') === -1 ? undefined : csv.indexOf('\n'));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  const candidates = [',', ';', '\t'];
  return candidates.reduce((best, ch) => (count(ch) > count(best) ? ch : best), ',');
}

/** Reads chunks up to the end of the first line (64 KB at most), and gives them back followed by the rest. */
async function splitFirstLine(source: FileSource): Promise<{ firstLine: string; chunks: AsyncIterable<Buffer> }> {
  if (typeof source === 'string') return { firstLine: source.slice(0, 64 * 1024), chunks: toChunks([source]) };
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = asBuffer(next.value);
    head.push(chunk);
    size += chunk.length;
    if (chunk.includes(0x0a) || size >= 64 * 1024) break;
  }
  const start = Buffer.concat(head);
  const end = start.indexOf(0x0a);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield asBuffer(next.value);
      }
    } finally {
      // The parser may stop early (a bad header): let the source close what it opened.
      await iterator.return?.();
    }
  }
  return { firstLine: start.subarray(0, end === -1 ? undefined : end).toString('utf8'), chunks: replay() };
}

async function* toChunks(pieces: Iterable<string | Buffer>): AsyncGenerator<Buffer> {
  for (const piece of pieces) yield asBuffer(piece);
}

function asBuffer(piece: string | Buffer): Buffer {
  return typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
}
