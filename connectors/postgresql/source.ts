/**
 * The PostgreSQL source: full syncs by keyset pagination, incremental syncs by commit time,
 * advanced rules as custom queries.
 * @module
 */
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
import {
  ADVANCED_SNIPPET,
  fieldNames,
  fieldPrefix,
  parseSqlQueryRules,
  qualifiedName,
  type SqlQueryRule,
} from "../sql/mod.ts";
import {
  type ArrayType,
  arrayTypes,
  commitTimestampsOn,
  listBaseTables,
  listRelations,
  primaryKey,
  schemaExists,
  serverClock,
} from "./catalog.ts";
import { describeError, openPool, type Sql, withConnectDeadline } from "./client.ts";
import { type PostgresSettings, readSettings } from "./config.ts";
import { estimateRows } from "./estimate.ts";
import {
  type KeyedTable,
  readChangedRows,
  type ReadContext,
  readQuery,
  readTable,
} from "./readers.ts";
import { retrying } from "./retry.ts";

/**
 * How far before the sync's start the next incremental sync looks back: a commit's time is taken
 * a moment before it becomes visible, so rows committed just before the start are read again
 * rather than missed.
 */
const CURSOR_MARGIN_SECONDS = 1;

/** The stored `sync_cursor` of this connector. */
export interface PostgresCursor extends SyncCursor {
  /** Server time (minus a margin) when the last completed sync started reading. */
  cursor_timestamp: string;
  database: string;
  schema: string;
  /** Tables that sync read; tables added later get a full read on the next incremental sync. */
  tables: string[];
}

/** What a sync learned before reading rows. */
interface Prepared {
  read: ReadContext;
  /** Start of this sync by the server clock (minus the margin), when commit times are on. */
  startedAt: string | null;
}

/** A configured PostgreSQL connection; see the module doc. */
export class PostgresSource implements Source {
  readonly #config: ConfigValues;
  readonly #logger: Logger;
  #settings?: PostgresSettings;
  #pool?: Sql;
  #arrayTypes?: Map<number, ArrayType>;
  #cursor: PostgresCursor | null = null;

  constructor(options: { config: ConfigValues; logger: Logger }) {
    this.#config = options.config;
    this.#logger = options.logger;
  }

  get #s(): PostgresSettings {
    return this.#settings ??= readSettings(this.#config);
  }

  get #sql(): Sql {
    return this.#pool ??= openPool(this.#s);
  }

  /** Runs a short catalog query with the connect deadline and retries. */
  #catalog<T>(what: string, work: (sql: Sql) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const settings = this.#s;
    return retrying(
      { settings, logger: this.#logger, signal, what },
      () => withConnectDeadline(settings, () => work(this.#sql)),
    );
  }

  async ping(): Promise<void> {
    const settings = this.#s;
    try {
      await withConnectDeadline(settings, () => this.#sql`SELECT 1`);
    } catch (error) {
      await this.#reset();
      throw new Error(describeError(error, settings), { cause: error });
    }
  }

  async validateConfig(): Promise<void> {
    await this.ping();
    const { schema, database, tables } = this.#s;
    if (!await this.#catalog("checking the schema", (sql) => schemaExists(sql, schema))) {
      throw new ConfigValueError(
        `schema "${schema}" does not exist in database "${database}": check the Schema field (names are case-sensitive)`,
      );
    }
    if (tables.length === 0) return;
    const existing = await this.#catalog("listing tables", (sql) => listRelations(sql, schema));
    const missing = tables.filter((table) => !existing.has(table));
    if (missing.length > 0) {
      throw new ConfigValueError(
        `tables not found in schema "${schema}": ${
          missing.join(", ")
        }; check 'Comma-separated list of tables' (names are case-sensitive)`,
      );
    }
  }

  async validateAdvancedRules(rules: unknown): Promise<RuleProblem[]> {
    const parsed = parseSqlQueryRules(rules);
    if (parsed.problems) return parsed.problems;
    if (parsed.rules.length === 0) return [];
    const schema = this.#s.schema;
    let existing: Set<string>;
    try {
      existing = await this.#catalog("listing tables", (sql) => listRelations(sql, schema));
    } catch (error) {
      return [{
        id: ADVANCED_SNIPPET,
        message: error instanceof Error ? error.message : String(error),
      }];
    }
    const problems: RuleProblem[] = [];
    const missing = [...new Set(parsed.rules.flatMap((rule) => rule.tables))].filter((table) =>
      !existing.has(table)
    );
    if (missing.length > 0) {
      problems.push({
        id: ADVANCED_SNIPPET,
        message: `Tables not found or inaccessible in schema "${schema}": ${missing.join(", ")}.`,
      });
    }
    for (const [index, rule] of parsed.rules.entries()) {
      const problem = await this.#explain(rule.query);
      if (problem) {
        problems.push({ id: ADVANCED_SNIPPET, message: `rule ${index + 1}: ${problem}` });
      }
    }
    return problems;
  }

  /** Plans `query` without running it; returns what is wrong with it, if anything. */
  async #explain(query: string): Promise<string | null> {
    try {
      const plan = await withConnectDeadline(
        this.#s,
        () => this.#sql.unsafe(`EXPLAIN (FORMAT JSON) ${query}`).values(),
      );
      const text = JSON.stringify(plan);
      if (text.includes('"ModifyTable"')) {
        return "the query changes data; advanced rules may only read";
      }
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `the query is not valid: ${message}`;
    }
  }

  async *docs(context: SyncContext): AsyncIterable<SourceItem> {
    const prepared = await this.#prepare(context);
    const rules = this.#rules(context.advancedRules);
    const read: string[] = [];
    if (rules) {
      for (const rule of rules) {
        for await (const doc of this.#runRule(prepared.read, rule, context)) yield { doc };
      }
    } else {
      for await (const target of this.#tables(context)) {
        for await (const doc of readTable(prepared.read, target)) yield { doc };
        read.push(target.table);
      }
    }
    this.#cursor = this.#nextCursor(prepared, read);
  }

  /** Rows of the tables to read (see estimate.ts); null with advanced rules (custom queries). */
  async estimateTotal(context: SyncContext): Promise<number | null> {
    if (this.#rules(context.advancedRules)) return null;
    const { schema, tables } = this.#s;
    return await withConnectDeadline(
      this.#s,
      () => estimateRows(this.#sql, { schema, tables: tables.length > 0 ? tables : null }),
    );
  }

  async *changes(
    context: SyncContext & { cursor: SyncCursor | null },
  ): AsyncIterable<SourceChange> {
    const prepared = await this.#prepare(context);
    const { database, schema } = this.#s;
    if (!prepared.read.commitTimes) {
      throw new Error(
        `incremental sync needs track_commit_timestamp = on on the PostgreSQL server at ${this.#s.host}:${this.#s.port} (set it in postgresql.conf and restart PostgreSQL); run full syncs until then`,
      );
    }
    const rules = this.#rules(context.advancedRules);
    if (rules) {
      context.logger.info(
        "advanced rules are custom queries: an incremental sync runs them in full",
      );
      for (const rule of rules) {
        for await (const doc of this.#runRule(prepared.read, rule, context)) {
          yield { op: "index", doc };
        }
      }
      this.#cursor = this.#nextCursor(prepared, []);
      return;
    }
    const cursor = context.cursor as Partial<PostgresCursor> | null;
    const usable = cursor && typeof cursor.cursor_timestamp === "string" &&
      cursor.database === database &&
      cursor.schema === schema && Array.isArray(cursor.tables);
    if (!usable) context.logger.info("no usable sync cursor: reading every row once");
    const known = new Set(usable ? cursor.tables : []);
    const read: string[] = [];
    for await (const target of this.#tables(context)) {
      const rows = usable && known.has(target.table)
        ? readChangedRows(prepared.read, { ...target, since: cursor.cursor_timestamp! })
        : readTable(prepared.read, target);
      for await (const doc of rows) yield { op: "index", doc };
      read.push(target.table);
    }
    this.#cursor = this.#nextCursor(prepared, read);
  }

  cursor(): SyncCursor | null {
    return this.#cursor;
  }

  async close(): Promise<void> {
    await this.#reset();
  }

  async #reset(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#arrayTypes = undefined;
    await pool?.end({ timeout: 1 });
  }

  async #prepare(context: SyncContext): Promise<Prepared> {
    const signal = context.signal;
    const arrays = this.#arrayTypes ??= await this.#catalog(
      "reading array types",
      arrayTypes,
      signal,
    );
    const commitTimes = await this.#catalog(
      "reading track_commit_timestamp",
      commitTimestampsOn,
      signal,
    );
    const startedAt = commitTimes
      ? await this.#catalog(
        "reading the server clock",
        (sql) => serverClock(sql, CURSOR_MARGIN_SECONDS),
        signal,
      )
      : null;
    if (!commitTimes) {
      context.logger.info(
        "track_commit_timestamp is off: documents get the sync's start time as _timestamp and incremental syncs are unavailable",
      );
    }
    return {
      read: {
        sql: this.#sql,
        settings: this.#s,
        logger: context.logger,
        signal,
        arrayTypes: arrays,
        commitTimes,
        fallbackTime: new Date().toISOString(),
      },
      startedAt,
    };
  }

  #nextCursor(prepared: Prepared, tables: string[]): PostgresCursor | null {
    if (!prepared.startedAt) return null;
    const { database, schema } = this.#s;
    return { cursor_timestamp: prepared.startedAt, database, schema, tables };
  }

  /** The active advanced rules, or null when there are none; malformed rules fail the sync. */
  #rules(advancedRules: unknown): SqlQueryRule[] | null {
    if (advancedRules === undefined || advancedRules === null) return null;
    if (typeof advancedRules === "object" && Object.keys(advancedRules).length === 0) return null;
    const parsed = parseSqlQueryRules(advancedRules);
    if (parsed.problems) {
      throw new Error(
        `invalid advanced sync rules: ${parsed.problems.map((p) => p.message).join("; ")}`,
      );
    }
    return parsed.rules.length > 0 ? parsed.rules : null;
  }

  /** Tables to read with their primary keys; tables without one are skipped with a warning. */
  async *#tables(context: SyncContext): AsyncGenerator<KeyedTable> {
    const { schema, database } = this.#s;
    const tables = this.#s.tables.length > 0
      ? this.#s.tables
      : await this.#catalog("listing tables", (sql) => listBaseTables(sql, schema), context.signal);
    if (tables.length === 0) {
      context.warn(`no tables to sync in schema "${schema}" of database "${database}"`);
    }
    const existing = this.#s.tables.length > 0
      ? await this.#catalog("listing tables", (sql) => listRelations(sql, schema), context.signal)
      : new Set(tables);
    for (const table of tables) {
      if (!existing.has(table)) {
        context.warn(
          `table "${table}" not found in schema "${schema}" and was skipped: check 'Comma-separated list of tables'`,
        );
        continue;
      }
      const keys = await this.#catalog(
        `reading the primary key of "${table}"`,
        (sql) => primaryKey(sql, { schema, table }),
        context.signal,
      );
      if (keys.length === 0) {
        context.warn(
          `table "${table}" in schema "${schema}" has no primary key and was skipped: add a primary key, or sync it with an advanced rule that sets id_columns`,
        );
        continue;
      }
      yield { table, keys };
    }
  }

  /** Runs one advanced rule; ids from `id_columns` or the tables' primary keys. */
  async *#runRule(
    read: ReadContext,
    rule: SqlQueryRule,
    context: SyncContext,
  ): AsyncGenerator<SourceDocument> {
    const { schema } = this.#s;
    const prefix = fieldPrefix({ schema, tables: rule.tables });
    let keys = rule.id_columns ?? [];
    if (keys.length === 0) {
      for (const table of rule.tables) {
        keys = keys.concat(
          await this.#catalog(
            `reading the primary key of "${table}"`,
            (sql) => primaryKey(sql, { schema, table }),
            context.signal,
          ),
        );
      }
    }
    if (keys.length === 0) {
      context.warn(
        `advanced rule on ${
          rule.tables.join(", ")
        } skipped: no primary key on its tables; set id_columns in the rule`,
      );
      return;
    }
    const fallbackTime = read.commitTimes
      ? await this.#lastCommit(rule.tables, read)
      : read.fallbackTime;
    yield* readQuery(
      { ...read, fallbackTime, warn: (message) => context.warn(message) },
      { tables: rule.tables, query: rule.query, keyFields: fieldNames(prefix, keys) },
    );
  }

  /** Latest commit time over `tables` (the reference's `_timestamp` for custom queries). */
  async #lastCommit(tables: string[], read: ReadContext): Promise<string> {
    let latest = "";
    for (const table of tables) {
      try {
        const [row] = await read.sql.unsafe(
          `SELECT max(pg_xact_commit_timestamp(xmin)) FROM ${qualifiedName(this.#s.schema, table)}`,
        ).values();
        const value = row?.[0];
        if (typeof value === "string" && value > latest) latest = value;
      } catch {
        // Views have no xmin: their rows keep the sync's start time.
      }
    }
    return latest || read.fallbackTime;
  }
}
