import type { Knex } from 'knex';

/**
 * Prefix search with LIKE that means the same on SQLite and MySQL. SQLite has no default escape
 * character and MySQL's (backslash) is also an escape in its string literals, so `!` is declared
 * explicitly.
 */
export const LIKE_ESCAPE = "escape '!'";

export function escapeLikePrefix(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`) + '%';
}

/** `column LIKE 'text%'` with the user's text taken literally. */
export function wherePrefix(query: Knex.QueryBuilder, column: string, text: string): Knex.QueryBuilder {
  return query.whereRaw(`?? like ? ${LIKE_ESCAPE}`, [column, escapeLikePrefix(text)]);
}
