/**
 * Reading rows as documents: whole tables by keyset pages on the primary key, changed rows and
 * custom queries through server-side cursors. Every loop resumes after a transient failure
 * from the last row it yielded instead of starting over.
 * @module
 */
import type { Logger } from "../../lib/log/mod.ts";
import type { SourceDocument } from "../../lib/source/types.ts";
import {
  fieldNames,
  fieldPrefix,
  nextPageRows,
  qualifiedName,
  quoteIdentifier,
  tablesKey,
} from "../sql/mod.ts";
import type { ArrayType } from "./catalog.ts";
import type { Sql } from "./client.ts";
import type { PostgresSettings } from "./config.ts";
import { DocBuilder, type DocShape, type ResultColumn } from "./doc_builder.ts";
import { afterFailure, retrying, type RetryOptions } from "./retry.ts";

/** What every reader needs. */
export interface ReadContext {
  sql: Sql;
  settings: PostgresSettings;
  logger: Logger;
  signal: AbortSignal;
  arrayTypes: Map<number, ArrayType>;
  /** Whether rows carry their commit time (`track_commit_timestamp = on`). */
  commitTimes: boolean;
  /** `_timestamp` of rows without a commit time. */
  fallbackTime: string;
}

/** A table and its primary key. */
export interface KeyedTable {
  table: string;
  keys: string[];
}

type Rows = unknown[][] & { columns?: ResultColumn[] };

const COMMIT_TIME = "pg_xact_commit_timestamp(t.xmin)";

function tableShape(
  context: ReadContext,
  table: string,
  columns: ResultColumn[],
  keys: string[],
): DocShape {
  const { database, schema } = context.settings;
  const names = columns.map((column) => column.name);
  return {
    prefix: fieldPrefix({ schema, tables: [table] }),
    idPrefix: `${database}_${schema}_${tablesKey([table])}_`,
    keyIndexes: keys.map((key) => names.indexOf(key)),
    commitTimeIndex: context.commitTimes ? columns.length - 1 : -1,
    constants: { database, schema, table },
  };
}

function selectFrom(context: ReadContext, table: string): string {
  const commit = context.commitTimes ? `, ${COMMIT_TIME}` : "";
  return `SELECT t.*${commit} FROM ${qualifiedName(context.settings.schema, table)} AS t`;
}

function keyPredicate(keys: string[], firstParameter: number): string {
  const columns = keys.map((key) => `t.${quoteIdentifier(key)}`).join(", ");
  const parameters = keys.map((_, i) => `$${firstParameter + i}`).join(", ");
  return `(${columns}) > (${parameters})`;
}

function orderBy(keys: string[]): string {
  return ` ORDER BY ${keys.map((key) => `t.${quoteIdentifier(key)}`).join(", ")}`;
}

/**
 * Every row of a table, by keyset pages (`WHERE (pk) > (last) ORDER BY pk LIMIT n`, never
 * OFFSET). Page sizes follow the rows' size (`nextPageRows`), and the next page is
 * fetched while the current one is consumed: at most two pages are held, and the engine's pace
 * still bounds the read.
 */
export async function* readTable(
  context: ReadContext,
  target: KeyedTable,
): AsyncGenerator<SourceDocument> {
  const { sql, settings, signal } = context;
  const select = selectFrom(context, target.table);
  const keys = target.keys.length;
  const firstPage = `${select}${orderBy(target.keys)} LIMIT $1`;
  const nextPage = `${select} WHERE ${keyPredicate(target.keys, 1)}${orderBy(target.keys)} LIMIT $${
    keys + 1
  }`;
  const retry = retryOptions(context, `reading table "${target.table}"`);
  const fetchPage = (after: unknown[] | null, limit: number): Promise<Rows> =>
    retrying(
      retry,
      async () =>
        (after
          ? await sql.unsafe(nextPage, [...after, limit] as never[]).values()
          : await sql.unsafe(firstPage, [limit] as never[]).values()) as Rows,
    );

  let limit = nextPageRows(null, settings.batchRows, rowValues);
  let pending: Promise<Rows> | null = fetchPage(null, limit);
  let builder: DocBuilder | undefined;
  let keyIndexes: number[] = [];
  try {
    while (pending) {
      const rows: Rows = await pending;
      pending = null;
      if (!builder) {
        const shape = tableShape(context, target.table, rows.columns ?? [], target.keys);
        keyIndexes = shape.keyIndexes;
        builder = new DocBuilder({
          columns: rows.columns ?? [],
          shape,
          arrayTypes: context.arrayTypes,
        });
      }
      if (rows.length === limit) {
        limit = nextPageRows(rows, settings.batchRows, rowValues);
        const last = rows[rows.length - 1];
        pending = fetchPage(keyIndexes.map((index) => last[index]), limit);
        pending.catch(() => {}); // awaited on the next turn; avoids an unhandled rejection if we stop first
      }
      for (let i = 0; i < rows.length; i++) {
        yield builder.build(rows[i], context.fallbackTime);
      }
      signal.throwIfAborted();
    }
  } finally {
    pending = null;
  }
}

/** A row's values: rows are fetched as arrays (`.values()`). */
const rowValues = (row: unknown[]): unknown[] => row;

/** How a read of `context` retries; `what` names it in log lines and the final error. */
function retryOptions(context: ReadContext, what: string): RetryOptions {
  return { settings: context.settings, logger: context.logger, signal: context.signal, what };
}

/** Batches of a query through a server-side cursor: the next batch is fetched on demand. */
function cursorRows(
  context: ReadContext,
  query: { text: string; parameters: unknown[] },
): AsyncIterable<Rows> {
  return context.sql.unsafe(query.text, query.parameters as never[]).values().cursor(
    context.settings.batchRows,
  ) as AsyncIterable<Rows>;
}

/**
 * Rows of a table committed after `since` (by `pg_xact_commit_timestamp(xmin)`): one scan of the
 * table, only changed rows sent, streamed in key order through a cursor.
 */
export async function* readChangedRows(
  context: ReadContext,
  target: KeyedTable & { since: string },
): AsyncGenerator<SourceDocument> {
  const select = `${selectFrom(context, target.table)} WHERE ${COMMIT_TIME} > $1::timestamptz`;
  const first = select + orderBy(target.keys);
  const resumed = `${select} AND ${keyPredicate(target.keys, 2)}${orderBy(target.keys)}`;
  let builder: DocBuilder | undefined;
  let keyIndexes: number[] = [];
  let last: unknown[] | null = null;
  for (let attempt = 0;; attempt++) {
    try {
      const batches: AsyncIterable<Rows> = last
        ? cursorRows(context, { text: resumed, parameters: [target.since, ...last] })
        : cursorRows(context, { text: first, parameters: [target.since] });
      for await (const rows of batches) {
        if (!builder) {
          const shape = tableShape(context, target.table, rows.columns ?? [], target.keys);
          builder = new DocBuilder({
            columns: rows.columns ?? [],
            shape,
            arrayTypes: context.arrayTypes,
          });
          keyIndexes = shape.keyIndexes;
        }
        for (let i = 0; i < rows.length; i++) {
          const row: unknown[] = rows[i];
          yield builder.build(row, context.fallbackTime);
          last = keyIndexes.map((index) => row[index]);
        }
        context.signal.throwIfAborted();
      }
      return;
    } catch (error) {
      const what = `reading changes of table "${target.table}"`;
      await afterFailure(retryOptions(context, what), { error, attempt });
    }
  }
}

/** An advanced rule ready to run: its id columns as field names (`<schema>_<tables>_<column>`). */
export interface QueryTarget {
  tables: string[];
  query: string;
  keyFields: string[];
}

/**
 * Rows of a custom query through a cursor. A retry re-runs the query and skips the rows already
 * yielded, which assumes a stable order: give the query an ORDER BY.
 */
export async function* readQuery(
  context: ReadContext & { warn(message: string): void },
  target: QueryTarget,
): AsyncGenerator<SourceDocument> {
  const { database, schema } = context.settings;
  const prefix = fieldPrefix({ schema, tables: target.tables });
  let builder: DocBuilder | undefined;
  let yielded = 0;
  for (let attempt = 0;; attempt++) {
    let skip = yielded;
    try {
      for await (const rows of cursorRows(context, { text: target.query, parameters: [] })) {
        if (!builder) {
          const columns = rows.columns ?? [];
          const names = fieldNames(prefix, columns.map((column) => column.name));
          const keyIndexes = target.keyFields.map((key) => names.lastIndexOf(key));
          if (keyIndexes.some((index) => index < 0)) {
            context.warn(
              `skipped query for tables ${
                target.tables.join(", ")
              }: its result lacks the id column(s) ${
                target.keyFields.filter((_, i) => keyIndexes[i] < 0).join(", ")
              }; select the primary key columns or set id_columns in the rule`,
            );
            return;
          }
          builder = new DocBuilder({
            columns,
            shape: {
              prefix,
              idPrefix: `${database}_${schema}_${tablesKey(target.tables)}_`,
              keyIndexes,
              commitTimeIndex: -1,
              constants: { database, schema, table: target.tables },
            },
            arrayTypes: context.arrayTypes,
          });
        }
        for (let i = 0; i < rows.length; i++) {
          if (skip > 0) {
            skip--;
            continue;
          }
          yield builder.build(rows[i], context.fallbackTime);
          yielded++;
        }
        context.signal.throwIfAborted();
      }
      return;
    } catch (error) {
      const what = `running the advanced rule query on ${target.tables.join(", ")}`;
      await afterFailure(retryOptions(context, what), { error, attempt });
    }
  }
}
