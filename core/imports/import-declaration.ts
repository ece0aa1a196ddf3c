import type { RequestContext } from '../security/request-context';
import type { ScopedDb } from '../data/scoped-db';

/** A bad row's line (1 is the header), the field at fault and why. */
export interface RowError {
  line: number;
  field: string;
  reason: string;
}

/** One column of a module's CSV template: its key (the header the template writes) and the other names people give it. */
export interface ImportColumn {
  key: string;
  /** What the template writes, when not the key. */
  header?: string;
  label?: string;
  required?: boolean;
  aliases?: string[];
}

/** A choice of the key rows are matched on: re-importing a file updates the rows it matched. */
export interface ImportKey {
  value: string;
  label: string;
}

/** A row the module accepted: its values, and the key it is matched on (`field` names the column). */
export interface ImportRow<V = Record<string, unknown>> {
  line: number;
  value: V;
  key: { field: string; value: string };
}

/** A row's cells by column key; a column missing from the file is `undefined`, an empty cell ''. */
export type ImportCells = Record<string, string | undefined>;

/** What the frame tells a session about the run it serves. */
export interface ImportRunInfo {
  importId: number | null;
  dryRun: boolean;
  /** The key chosen for this file (one of the declaration's `keys`). */
  key: string;
  /** Today, as YYYY-MM-DD. */
  today: string;
}

/** What a batch did: counts of rows written, and rows refused (the frame reports them). */
export interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  failures: RowError[];
}

/**
 * One run over one file, opened by the declaration: it parses rows and writes batches, keeping what it
 * needs across batches (lookups, rows seen earlier in the file) in its closure.
 */
export interface ImportSession<V> {
  parse(cells: ImportCells, line: number): { row?: ImportRow<V>; errors: RowError[] };
  /**
   * After the frame's own check (a key appears once per file), in file order: another reason to refuse
   * the row, or `flush` to write the rows waiting before this one first (it depends on them).
   */
  admit?(row: ImportRow<V>): RowError | 'flush' | null;
  /** Writes a batch (in a preview: plans it and writes nothing), settling its own transactions. */
  write(rows: ImportRow<V>[]): Promise<BatchOutcome>;
}

/**
 * The simple form of a row writer: the frame reads the rows already stored under the chosen key's
 * column and hands each row its match; `write` inserts or updates through `db` and says which. A
 * preview runs the same writes in a transaction it rolls back, so its counts are the import's.
 */
export interface SimpleTarget<V> {
  table: string;
  /** The column holding each key's (normalised) value, by key choice. */
  keyColumns: Record<string, string>;
  write(db: ScopedDb, row: ImportRow<V>, existing: Record<string, unknown> | undefined): Promise<'created' | 'updated' | 'unchanged'>;
}

/**
 * A module's CSV import, declared once: its columns, the keys rows may be matched on, how a row's
 * cells become values, and its row writer. The frame does the rest: stored upload, preview with every
 * bad row, column mapping, the job with progress, the report, the rejected rows as CSV.
 */
export interface ImportDeclaration<V = Record<string, unknown>> {
  /** Unique across modules, e.g. `depot.articles`; stored with each import. */
  kind: string;
  /** What one row is, for messages: `column "x" is not a <noun> field`, `a <noun> appears once per file`. */
  noun: string;
  /** The permission every import route asks for. */
  permission: string;
  keys: ImportKey[];
  /** The template's columns; may depend on the company (its custom fields). */
  columns(ctx: RequestContext): Promise<ImportColumn[]> | ImportColumn[];
  /** The simple form: parse one row; its key is `cells[key]` normalised by `normalizeKey`. */
  parse?(cells: ImportCells, line: number, ctx: RequestContext): { value?: V; errors: RowError[] };
  normalizeKey?(key: string, text: string): string;
  target?: SimpleTarget<V>;
  /** The full form, for a module whose rows depend on each other (rows that link to rows earlier in the file). */
  open?(ctx: RequestContext, run: ImportRunInfo): Promise<ImportSession<V>>;
}

export function defineImport<V>(declaration: ImportDeclaration<V>): ImportDeclaration<V> {
  if (!declaration.open && !(declaration.parse && declaration.target)) throw new Error(`Import ${declaration.kind}: declare open(), or parse() with a target`);
  if (!declaration.keys.length) throw new Error(`Import ${declaration.kind}: declare at least one key`);
  return declaration;
}
