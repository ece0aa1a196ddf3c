import type { ImportCells, ImportColumn } from './import-declaration';

/** The column a rejected-rows download adds; an import of that file ignores it. */
export const REJECT_COLUMN = 'import_error';

/** Headers as people write them: "First name", "E-mail", "Item code" all become comparable keys. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The file's header, each to the column key it fills (or '' to leave it out), as the user chose. */
export type ColumnMapping = Record<string, string>;

export interface HeaderMap {
  /** Index of each column present in the file, by column key. */
  index: Record<string, number>;
  errors: string[];
  /** Headers that found no column: the mapping step asks about these. */
  unknown: string[];
}

/**
 * Maps a header row to the declaration's columns: by key, by alias, or by the user's mapping. Unknown
 * or repeated columns are errors, so no data is silently dropped; a mapping to '' leaves a column out.
 */
export function mapHeader(header: string[], columns: ImportColumn[], noun: string, mapping: ColumnMapping = {}): HeaderMap {
  const byName = new Map<string, string>();
  for (const c of columns) {
    for (const name of [c.key, ...(c.header ? [c.header] : []), ...(c.label ? [c.label] : []), ...(c.aliases ?? [])]) {
      if (!byName.has(headerKey(name))) byName.set(headerKey(name), c.key);
    }
  }
  const known = new Set(columns.map((c) => c.key));
  const out: HeaderMap = { index: {}, errors: [], unknown: [] };
  header.forEach((raw, index) => {
    const chosen = Object.prototype.hasOwnProperty.call(mapping, raw) ? mapping[raw] : undefined;
    if (chosen === '') return;
    const key = headerKey(raw);
    if (key === REJECT_COLUMN) return;
    const target = chosen !== undefined && known.has(chosen) ? chosen : key ? byName.get(key) : undefined;
    if (!target) {
      if (!key && raw.trim() === '') return;
      out.unknown.push(raw);
      out.errors.push(`column "${raw}" is not ${withArticle(noun)} field`);
      return;
    }
    if (out.index[target] !== undefined) {
      out.errors.push(`column "${raw}" appears twice`);
      return;
    }
    out.index[target] = index;
  });
  for (const c of columns) {
    if (c.required && out.index[c.key] === undefined && !out.errors.length) out.errors.push(`column "${c.header ?? c.key}" is required`);
  }
  return out;
}

/**
 * A record's cells by column key, trimmed. A cell a CSV export neutralised (`'=...`, see csvSafe) reads
 * back as it was, so an exported file imports unchanged.
 */
export function cellsOf(record: string[], index: Record<string, number>): ImportCells {
  const cells: ImportCells = {};
  for (const [key, i] of Object.entries(index)) cells[key] = (record[i] ?? '').trim().replace(/^'(?=[=+\-@\t\r])/, '');
  return cells;
}

/** `a customer`, `an item`. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
