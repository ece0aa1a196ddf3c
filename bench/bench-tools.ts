/** What the benches share: timing repeated runs, loading a table fast, printing figures. */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';

/**
 * Loading a million rows into a table with a dozen secondary indexes is slow row by row and quick as a
 * sort: the plain secondary indexes are dropped for the load and added back with the definitions
 * read from the database (so they are exactly the migration's). The unique code index and the
 * foreign keys' indexes stay.
 */
export async function withIndexesRebuilt(knex: Knex, table: string, load: () => Promise<void>): Promise<void> {
  if (!String(knex.client.config.client).startsWith('mysql')) return withSqliteIndexesRebuilt(knex, table, load);
  const [rows] = (await knex.raw(
    `select index_name as name, column_name as col from information_schema.statistics
      where table_schema = database() and table_name = ? and non_unique = 1 and index_name like ? order by index_name, seq_in_index`,
    [table, `${table}\_%\_idx`],
  )) as unknown as [Array<{ name: string; col: string }>];
  const indexes = new Map<string, string[]>();
  for (const r of rows) indexes.set(r.name, [...(indexes.get(r.name) ?? []), r.col]);
  // The parent foreign key needs its index.
  indexes.delete(`${table}_parent_idx`);
  if (indexes.size) await knex.raw(`alter table ?? ${[...indexes.keys()].map(() => 'drop index ??').join(', ')}`, [table, ...indexes.keys()]);
  try {
    await load();
  } finally {
    if (indexes.size) {
      const adds = [...indexes.entries()].map(([name, cols]) => knex.raw(`add index ?? (${cols.map(() => '??').join(', ')})`, [name, ...cols]).toQuery());
      await knex.raw(`alter table ?? ${adds.join(', ')}`, [table]);
    }
  }
}

export async function timeIt(fn: () => Promise<unknown>, runs = 15): Promise<{ p50: number; p95: number }> {
  await fn();
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)], p95: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)] };
}

export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
export const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;


/** The same on SQLite: the plain secondary indexes' own CREATE statements, run again after the load. */
async function withSqliteIndexesRebuilt(knex: Knex, table: string, load: () => Promise<void>): Promise<void> {
  const indexes = (await knex('sqlite_master').where({ type: 'index', tbl_name: table }).whereNotNull('sql').where('name', 'like', `${table}_%_idx`).select('name', 'sql')) as Array<{ name: string; sql: string }>;
  const kept = indexes.filter((i) => i.name !== `${table}_parent_idx` && !/unique/i.test(i.sql));
  for (const index of kept) await knex.raw('drop index ??', [index.name]);
  try {
    await load();
  } finally {
    for (const index of kept) await knex.raw(index.sql);
  }
}

/** Runs `count` tasks over `clients` concurrent workers, each taking the next index when it is free. */
export async function pool<T>(clients: number, count: number, task: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < count) await task(next++);
  }));
}

/** Milliseconds one run takes. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}
