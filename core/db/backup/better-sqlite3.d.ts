/**
 * The part of better-sqlite3 (knex's SQLite driver, installed with it) that backups use directly:
 * its own types are not installed, and these few calls do not justify another dependency.
 */
declare module 'better-sqlite3' {
  namespace BetterSqlite3 {
    interface Statement {
      all(...params: unknown[]): unknown[];
      get(...params: unknown[]): unknown;
    }
    interface Database {
      prepare(sql: string): Statement;
      pragma(source: string): unknown;
      /** SQLite's online backup API: copies this database into `destination`, replacing what it held. */
      backup(destination: string): Promise<unknown>;
      close(): void;
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
    }
  }
  const BetterSqlite3: { new (filename: string, options?: BetterSqlite3.Options): BetterSqlite3.Database };
  export = BetterSqlite3;
}
