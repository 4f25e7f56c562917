/**
 * The `mysql` source: rows of MySQL/MariaDB tables, or of advanced-rule queries, as documents
 * shaped like the reference's (raw column names, `_id` = `<table>_<key values>`, `Table`).
 *
 * Tables are read in pages of `fetch_size` rows by keyset pagination on the primary key, one
 * short query per page, so no cursor stays open while Elasticsearch is slow. A failed page is
 * retried on a new connection from the last key read. Queries are paged the same way over
 * their id columns when the server can seek by them; otherwise they are streamed.
 * @module
 */
import type mysql from "mysql2/promise";
import type { FieldPacket, RowDataPacket } from "mysql2/promise";
import type { Logger } from "../../lib/log/mod.ts";
import {
  ConfigValueError,
  type ConfigValues,
  type RuleProblem,
  type Source,
  type SourceChange,
  type SourceDocument,
  type SourceItem,
  type SyncContext,
  type SyncCursor,
} from "../../lib/source/types.ts";
import { backoffDelay, sleep } from "../../lib/util/retry.ts";
import {
  callbackConnection,
  connect,
  type ConnectionSettings,
  isTransient,
  typeCastFor,
} from "./client.ts";
import { nextPageRows } from "../sql/page_size.ts";
import { estimateRows } from "./estimate.ts";
import { type AdvancedRule, parseAdvancedRules } from "./rules.ts";
import { keysetCondition, quoteId, type SqlCondition } from "./sql.ts";
import { convertRow, idPart, isNotNull, type RowPlan, rowPlan, sqlValue } from "./values.ts";

/** Default time allowed to open a connection. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** First retry wait; doubles per attempt (the reference's `RETRY_INTERVAL` of 2 s). */
const RETRY_BASE_MS = 2_000;

/** Options for {@linkcode MysqlSource}. */
export interface MysqlSourceOptions {
  config: ConfigValues;
  logger: Logger;
  /** Overrides {@linkcode CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number;
}

/** One thing to read: a table, or an advanced rule's query. */
interface Unit {
  /** Key in the sync cursor. */
  key: string;
  /** For messages, e.g. "table `orders`". */
  label: string;
  /** What follows FROM: a quoted table name or `(query) AS q`. */
  from: string;
  /** The `Table` field: the table name, or the rule's table list. */
  table: string | string[];
  /** Id prefix: the table name(s), sorted and joined by `_`. */
  idPrefix: string;
  /** Columns whose values make the id, in id order. */
  idColumns: string[];
  /** Columns to page by, in index order; empty to stream. */
  keyColumns: string[];
  /** Whether the server can seek by `keyColumns` without sorting the whole result. */
  seekable: boolean;
  /** `_timestamp` for rows without a modification time. */
  timestamp: string;
}

/** How one unit is read: everything, or rows modified since a tracking value. */
interface ReadMode {
  since?: unknown;
}

/** Reads a MySQL or MariaDB database. */
export class MysqlSource implements Source {
  readonly #settings: ConnectionSettings;
  readonly #tables: string[];
  readonly #fetchSize: number;
  readonly #retryCount: number;
  readonly #tracking: string | undefined;
  readonly #logger: Logger;
  #connection: mysql.Connection | undefined;
  #cursor: SyncCursor | null = null;

  constructor(options: MysqlSourceOptions) {
    const { config } = options;
    this.#settings = {
      host: String(config.host ?? ""),
      port: Number(config.port ?? 3306),
      user: String(config.user ?? ""),
      password: String(config.password ?? ""),
      database: String(config.database ?? ""),
      sslCa: config.ssl_enabled === true ? String(config.ssl_ca ?? "") || undefined : undefined,
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    };
    this.#tables = Array.isArray(config.tables) ? config.tables.map(String) : ["*"];
    this.#fetchSize = Number(config.fetch_size ?? 5000);
    this.#retryCount = Number(config.retry_count ?? 3);
    const tracking = String(config.tracking_column ?? "").trim();
    this.#tracking = tracking === "" ? undefined : tracking;
    this.#logger = options.logger;
  }

  async validateConfig(): Promise<void> {
    if (!Number.isSafeInteger(this.#fetchSize) || this.#fetchSize < 1) {
      throw new ConfigValueError(
        `'Rows fetched per request' (fetch_size) must be at least 1, got ${this.#fetchSize}.`,
      );
    }
    if (!Number.isSafeInteger(this.#retryCount) || this.#retryCount < 0) {
      throw new ConfigValueError(
        `'Retries per request' (retry_count) must be 0 or more, got ${this.#retryCount}.`,
      );
    }
    if (this.#settings.host.trim() === "") {
      throw new ConfigValueError("'Host' (host) cannot be empty.");
    }
    await this.ping();
    if (isWildcard(this.#tables)) return;
    const existing = new Set((await this.#tableInfo()).keys());
    const missing = this.#tables.filter((table) => !existing.has(table));
    if (missing.length > 0) {
      throw new ConfigValueError(
        `Tables not found or not accessible for user '${this.#settings.user}' in database '${this.#settings.database}': ${
          missing.join(", ")
        }. Fix 'Comma-separated list of tables' (tables).`,
      );
    }
  }

  async ping(): Promise<void> {
    await this.#dropConnection();
    const connection = await this.#connect();
    await connection.query("SELECT 1");
  }

  async *docs(context: SyncContext): AsyncIterable<SourceItem> {
    const { units, cursor } = await this.#prepare(context);
    for (const unit of units) {
      for await (const doc of this.#read({ unit, mode: {}, cursor, context })) yield { doc };
    }
    this.#cursor = cursor;
  }

  /** Rows of the tables to read (see estimate.ts); null with advanced rules (custom queries). */
  async estimateTotal(context: SyncContext): Promise<number | null> {
    if (!isEmptyRules(context.advancedRules)) return null;
    const tables = isWildcard(this.#tables) ? null : this.#tables;
    const connection = await this.#connect();
    return await estimateRows(connection, { database: this.#settings.database, tables });
  }

  async *changes(
    context: SyncContext & { cursor: SyncCursor | null },
  ): AsyncIterable<SourceChange> {
    if (this.#tracking === undefined) {
      throw new ConfigValueError(
        "Incremental syncs need 'Tracking column for incremental syncs' (tracking_column): " +
          "set it to a column holding each row's modification time, or run full syncs.",
      );
    }
    const previous = context.cursor?.tracking_column === this.#tracking
      ? context.cursor.values as Record<string, unknown> | undefined
      : undefined;
    if (previous === undefined) {
      throw new Error(
        `No sync cursor for tracking column '${this.#tracking}': run a full sync first.`,
      );
    }
    const { units, cursor } = await this.#prepare(context);
    for (const unit of units) {
      const since = previous[unit.key];
      if (since === undefined || since === null) {
        this.#logger.info(`${unit.label} has no tracking value yet: reading all its rows`);
      }
      const mode = since === undefined || since === null ? {} : { since };
      for await (const doc of this.#read({ unit, mode, cursor, context })) {
        yield { op: "index", doc };
      }
    }
    this.#cursor = cursor;
  }

  cursor(): SyncCursor | null {
    return this.#cursor;
  }

  async validateAdvancedRules(value: unknown): Promise<RuleProblem[]> {
    if (isEmptyRules(value)) return [];
    const parsed = parseAdvancedRules(value);
    const problem = (message: string) => ({ id: "advanced_snippet", message });
    if (parsed.rules === undefined) return parsed.problems.map(problem);
    const problems: RuleProblem[] = [];
    const tables = await this.#withRetry(() => this.#tableInfo(), undefined);
    const missing = [...new Set(parsed.rules.flatMap((rule) => rule.tables))]
      .filter((table) => !tables.has(table)).sort();
    if (missing.length > 0) {
      problems.push(problem(`Tables not found or inaccessible: ${missing.join(", ")}.`));
    }
    const primaryKeys = await this.#primaryKeys();
    for (const [index, rule] of parsed.rules.entries()) {
      const where = `Rule ${index + 1}`;
      const unit = queryUnit(rule, { primaryKeys, timestamp: "" });
      try {
        const connection = await this.#connect();
        await connection.query(`EXPLAIN SELECT * FROM ${unit.from}`);
        const fields = await this.#columns(unit);
        const names = new Set(fields.map((field) => field.name));
        const absent = unit.idColumns.filter((column) => !names.has(column));
        if (unit.idColumns.length === 0) {
          problems.push(problem(`${where}: the tables have no primary key: set "id_columns".`));
        } else if (absent.length > 0) {
          problems.push(
            problem(`${where}: the query does not return id column(s) ${absent.join(", ")}.`),
          );
        }
      } catch (error) {
        if (isTransient(error)) throw error;
        problems.push(problem(`${where}: the query is not valid: ${(error as Error).message}`));
      }
    }
    return problems;
  }

  async close(): Promise<void> {
    await this.#dropConnection();
  }

  /** The units to read and a fresh cursor to fill while reading them. */
  async #prepare(context: SyncContext): Promise<{ units: Unit[]; cursor: SyncCursor | null }> {
    const syncStart = new Date().toISOString();
    const info = await this.#withRetry(() => this.#tableInfo(), context);
    const primaryKeys = await this.#withRetry(() => this.#primaryKeys(), context);
    const updated = (table: string) => info.get(table)?.updated ?? syncStart;
    const cursor = this.#tracking === undefined
      ? null
      : { tracking_column: this.#tracking, values: {} as Record<string, unknown> };
    if (!isEmptyRules(context.advancedRules)) {
      const parsed = parseAdvancedRules(context.advancedRules);
      if (parsed.rules === undefined) {
        throw new Error(`Invalid advanced rules: ${parsed.problems.join(" ")}`);
      }
      return {
        units: parsed.rules.map((rule) => {
          const times = rule.tables.map((table) => info.get(table)?.updated).filter(Boolean);
          return queryUnit(rule, { primaryKeys, timestamp: times.sort().at(-1) ?? syncStart });
        }),
        cursor,
      };
    }
    const names = isWildcard(this.#tables)
      ? [...info].filter(([, table]) => table.base).map(([name]) => name)
      : this.#tables;
    const units: Unit[] = [];
    for (const name of names) {
      const keys = primaryKeys.get(name);
      if (keys === undefined) {
        context.warn(
          `Table '${name}' has no primary key and was skipped: add a primary key, or sync it with an advanced rule that sets "id_columns".`,
        );
        continue;
      }
      units.push({
        key: `table:${name}`,
        label: `table ${quoteId(name)}`,
        from: quoteId(name),
        table: name,
        idPrefix: name,
        idColumns: keys.idOrder,
        keyColumns: keys.indexOrder,
        seekable: true,
        timestamp: updated(name),
      });
    }
    return { units, cursor };
  }

  /** The documents of one unit; records its new tracking value in `cursor` first. */
  async *#read(options: {
    unit: Unit;
    mode: ReadMode;
    cursor: SyncCursor | null;
    context: SyncContext;
  }): AsyncIterable<SourceDocument> {
    const { unit, mode, cursor, context } = options;
    const fields = await this.#withRetry(() => this.#columns(unit), context);
    const byName = new Map(fields.map((field) => [field.name, field]));
    const absent = unit.idColumns.filter((column) => !byName.has(column));
    if (unit.idColumns.length === 0 || absent.length > 0) {
      context.warn(
        `${unit.label} skipped: ${
          unit.idColumns.length === 0
            ? 'no primary key; set "id_columns"'
            : `the query does not return id column(s) ${absent.join(", ")}`
        }.`,
      );
      return;
    }
    const tracked = this.#tracking !== undefined && byName.has(this.#tracking)
      ? this.#tracking
      : undefined;
    if (cursor !== null) {
      const values = cursor.values as Record<string, unknown>;
      if (tracked === undefined) {
        context.warn(
          `${unit.label} has no column '${this.#tracking}': incremental syncs read all its rows.`,
        );
        values[unit.key] = null;
      } else {
        values[unit.key] = await this.#withRetry(() => this.#maxValue(unit, tracked), context);
      }
    }
    const filter: SqlCondition | undefined = tracked !== undefined && mode.since !== undefined
      ? {
        sql: `${quoteId(tracked)} >= ?`,
        values: [sqlValue(mode.since, byName.get(tracked)!)],
      }
      : undefined;
    const keyColumns = filter && tracked ? [tracked, ...unit.keyColumns] : unit.keyColumns;
    const plan = rowPlan(fields);
    const build = documentBuilder(unit, { plan, tracked });
    const pageable = keyColumns.length > 0 &&
      (unit.seekable || await this.#canSeek({ unit, keyColumns, byName, filter }));
    if (pageable) {
      const keyFields = keyColumns.map((column) => byName.get(column)!);
      yield* this.#pages({ unit, filter, keyColumns, keyFields, plan, build, context });
    } else {
      this.#logger.info(`${unit.label}: streaming one query (cannot page by its id columns)`);
      yield* this.#stream({ unit, filter, plan, build, context });
    }
  }

  async *#pages(options: {
    unit: Unit;
    filter: SqlCondition | undefined;
    keyColumns: string[];
    keyFields: FieldPacket[];
    plan: RowPlan;
    build: (row: Record<string, unknown>) => SourceDocument;
    context: SyncContext;
  }): AsyncIterable<SourceDocument> {
    const { unit, filter, keyColumns, keyFields, plan, build, context } = options;
    const quoted = keyColumns.map(quoteId);
    const order = ` ORDER BY ${quoted.join(", ")} LIMIT ?`;
    let last: unknown[] | undefined;
    // Rows per page follow the rows' size, up to fetch_size (see connectors/sql/page_size.ts).
    let limit = nextPageRows(null, this.#fetchSize, Object.values);
    while (true) {
      context.signal.throwIfAborted();
      const conditions: SqlCondition[] = [];
      if (filter) conditions.push(filter);
      if (last) conditions.push(keysetCondition(quoted, last));
      const where = conditions.length > 0
        ? ` WHERE ${conditions.map((condition) => `(${condition.sql})`).join(" AND ")}`
        : "";
      const sql = `SELECT * FROM ${unit.from}${where}${order}`;
      const values = [...conditions.flatMap((condition) => condition.values), limit];
      const rows = await this.#withRetry(async () => {
        const connection = await this.#connect();
        const [result] = await connection.query<RowDataPacket[]>({
          sql,
          values,
          typeCast: typeCastFor(plan.hasGeometry),
        });
        return result;
      }, context);
      if (rows.length === 0) return;
      const lastRow = rows[rows.length - 1];
      last = keyColumns.map((column, i) => sqlValue(lastRow[column], keyFields[i]));
      const full = rows.length === limit;
      limit = nextPageRows(rows, this.#fetchSize, Object.values);
      for (const row of rows) yield build(row);
      if (!full) return;
    }
  }

  async *#stream(options: {
    unit: Unit;
    filter: SqlCondition | undefined;
    plan: RowPlan;
    build: (row: Record<string, unknown>) => SourceDocument;
    context: SyncContext;
  }): AsyncIterable<SourceDocument> {
    const { unit, filter, plan, build, context } = options;
    const sql = `SELECT * FROM ${unit.from}${filter ? ` WHERE ${filter.sql}` : ""}`;
    // Retried only until the first row: a stream cannot resume from where it broke.
    const connection = await this.#withRetry(() => this.#connect(), context);
    const driver = callbackConnection(connection);
    const stream = driver.query({
      sql,
      values: filter?.values ?? [],
      typeCast: typeCastFor(plan.hasGeometry),
    }).stream({ highWaterMark: Math.min(this.#fetchSize, 1000) });
    const abort = () => stream.destroy(context.signal.reason);
    context.signal.addEventListener("abort", abort, { once: true });
    // mysql2 reports a connection lost mid-stream on the connection only: the stream would
    // wait forever.
    const broken = (error: Error) => stream.destroy(error);
    driver.on("error", broken);
    try {
      for await (const row of stream) yield build(row as Record<string, unknown>);
    } catch (error) {
      await this.#dropConnection({ destroy: true });
      if (!isTransient(error) || context.signal.aborted) throw error;
      throw new Error(
        `${unit.label}: ${this.#where()} dropped the connection while the query streamed ` +
          `(${errorText(error)}); a streamed query cannot resume where it stopped, so the sync ` +
          `stops here: run it again`,
        { cause: error },
      );
    } finally {
      context.signal.removeEventListener("abort", abort);
      driver.off("error", broken);
      if (!stream.readableEnded) {
        // Stopped early: the unread rows would block the connection, so drop it.
        stream.destroy();
        await this.#dropConnection({ destroy: true });
      }
    }
  }

  /** Whether a keyset page over the query can seek rather than sort the whole result. */
  async #canSeek(options: {
    unit: Unit;
    keyColumns: string[];
    byName: Map<string, FieldPacket>;
    filter: SqlCondition | undefined;
  }): Promise<boolean> {
    const { unit, keyColumns, byName, filter } = options;
    const nullable = keyColumns.filter((column, i) =>
      !(i === 0 && filter) && !isNotNull(byName.get(column)!)
    );
    if (nullable.length > 0) return false;
    const connection = await this.#connect();
    const [plan] = await connection.query<RowDataPacket[]>({
      sql: `EXPLAIN SELECT * FROM ${unit.from}${filter ? ` WHERE ${filter.sql}` : ""} ORDER BY ${
        keyColumns.map(quoteId).join(", ")
      } LIMIT ${this.#fetchSize}`,
      values: filter?.values ?? [],
    });
    return plan.every((step) =>
      !/DERIVED|MATERIALIZED|UNION/i.test(String(step.select_type)) &&
      !/filesort|temporary/i.test(String(step.Extra ?? ""))
    );
  }

  /** The result columns of a unit, from a query that returns no rows. */
  async #columns(unit: Unit): Promise<FieldPacket[]> {
    const connection = await this.#connect();
    const [, fields] = await connection.query(`SELECT * FROM ${unit.from} LIMIT 0`);
    return fields;
  }

  async #maxValue(unit: Unit, column: string): Promise<unknown> {
    const connection = await this.#connect();
    const [rows] = await connection.query<RowDataPacket[]>({
      sql: `SELECT MAX(${quoteId(column)}) AS value FROM ${unit.from}`,
      rowsAsArray: false,
    });
    return rows[0]?.value ?? null;
  }

  /** Tables and views of the database, by exact name. */
  async #tableInfo(): Promise<Map<string, { base: boolean; updated?: string }>> {
    const connection = await this.#connect();
    const [rows] = await connection.query<RowDataPacket[]>(
      "SELECT TABLE_NAME AS name, TABLE_TYPE AS type, UPDATE_TIME AS updated " +
        "FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
      [this.#settings.database],
    );
    return new Map(rows.map((row) => [String(row.name), {
      base: row.type === "BASE TABLE",
      updated: row.updated ? String(row.updated).replace(" ", "T") + "Z" : undefined,
    }]));
  }

  /** Primary-key columns per table: in index order (to page) and in column order (for ids). */
  async #primaryKeys(): Promise<Map<string, { indexOrder: string[]; idOrder: string[] }>> {
    const connection = await this.#connect();
    const [rows] = await connection.query<RowDataPacket[]>(
      "SELECT k.TABLE_NAME AS tableName, k.COLUMN_NAME AS columnName, c.ORDINAL_POSITION AS position " +
        "FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.COLUMNS c " +
        "ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME " +
        "WHERE k.TABLE_SCHEMA = ? AND k.CONSTRAINT_NAME = 'PRIMARY' " +
        "ORDER BY k.TABLE_NAME, k.ORDINAL_POSITION",
      [this.#settings.database],
    );
    const keys = new Map<string, { name: string; position: number }[]>();
    for (const row of rows) {
      const table = String(row.tableName);
      if (!keys.has(table)) keys.set(table, []);
      keys.get(table)!.push({ name: String(row.columnName), position: Number(row.position) });
    }
    return new Map([...keys].map(([table, columns]) => [table, {
      indexOrder: columns.map((column) => column.name),
      idOrder: columns.toSorted((a, b) => a.position - b.position).map((column) => column.name),
    }]));
  }

  /** Runs `action`, retrying transient failures on a new connection with backoff. */
  async #withRetry<T>(action: () => Promise<T>, context: SyncContext | undefined): Promise<T> {
    for (let attempt = 0;; attempt++) {
      try {
        return await action();
      } catch (error) {
        if (!isTransient(error)) throw error;
        await this.#dropConnection({ destroy: true });
        if (attempt >= this.#retryCount) {
          throw new Error(
            `${this.#where()}: ${errorText(error)}; still failing after ${this.#retryCount} ` +
              `retries ('Retries per request', retry_count)`,
            { cause: error },
          );
        }
        const wait = backoffDelay(attempt, RETRY_BASE_MS);
        this.#logger.warn(
          `${this.#where()}: ${errorText(error)}; retry ${
            attempt + 1
          } of ${this.#retryCount} in ${wait} ms`,
        );
        await sleep(wait, context?.signal);
      }
    }
  }

  #where(): string {
    return `MySQL at ${this.#settings.host}:${this.#settings.port}`;
  }

  async #connect(): Promise<mysql.Connection> {
    this.#connection ??= await connect(this.#settings);
    return this.#connection;
  }

  async #dropConnection(options: { destroy?: boolean } = {}): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    if (options.destroy) return connection.destroy();
    try {
      await connection.end();
    } catch {
      connection.destroy();
    }
  }
}

/** A unit for an advanced rule: its query wrapped as a derived table named `q`. */
function queryUnit(
  rule: AdvancedRule,
  context: { primaryKeys: Map<string, { idOrder: string[] }>; timestamp: string },
): Unit {
  const { primaryKeys, timestamp } = context;
  const idColumns = rule.idColumns ??
    rule.tables.flatMap((table) => primaryKeys.get(table)?.idOrder ?? []).sort();
  const sorted = rule.tables.toSorted();
  return {
    key: `query:${sorted.join(",")}:${rule.query}`,
    label: `query on ${rule.tables.join(", ")}`,
    from: `(${rule.query}) AS q`,
    table: rule.tables,
    idPrefix: sorted.join("_"),
    idColumns: [...new Set(idColumns)],
    keyColumns: [...new Set(idColumns)],
    seekable: false,
    timestamp,
  };
}

/** Turns rows into documents with a loop over precomputed columns (no per-row closures). */
function documentBuilder(
  unit: Unit,
  reading: { plan: RowPlan; tracked: string | undefined },
): (row: Record<string, unknown>) => SourceDocument {
  const { plan, tracked } = reading;
  const { idColumns, idPrefix, table, timestamp } = unit;
  return (row) => {
    // Like the reference: prefix, "_", then the non-null key values joined by "_".
    let id = idPrefix + "_";
    let first = true;
    for (const column of idColumns) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      id += first ? idPart(value) : "_" + idPart(value);
      first = false;
    }
    convertRow(row, plan);
    const modified = tracked === undefined ? undefined : row[tracked];
    const doc = row as SourceDocument;
    doc._id = id;
    doc._timestamp = typeof modified === "string" ? modified : timestamp;
    doc.Table = table;
    return doc;
  };
}

/** A driver error as `CODE: message`, or the message alone when it has no code. */
function errorText(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  return typeof code === "string" ? `${code}: ${text}` : text;
}

function isWildcard(tables: string[]): boolean {
  return tables.length === 1 && tables[0] === "*";
}

/** No advanced rules: absent, null, `{}` (Kibana's default snippet) or `[]`. */
function isEmptyRules(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}
