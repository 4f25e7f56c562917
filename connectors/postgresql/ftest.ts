/**
 * ftest fixture for `postgresql`: a throwaway PostgreSQL with `customers_<n>` tables (1×500 /
 * 3×3 000 / 5×7 000 rows), an `orders` table with a two-column primary key and a 3-row
 * `special_types` table (inet, cidr, uuid, point, bit string, jsonb); the removal deletes 10
 * rows from every data table and one special-types row.
 * @module
 */
import postgres from "postgres";
import { startPostgres } from "../../lib/harness/mod.ts";
import {
  batches,
  customerRow,
  customerTables,
  type DatasetSize,
  type ExpectedDocument,
  type FixtureSource,
  type FtestFixture,
  orderRow,
  type Rng,
  ROWS_REMOVED_PER_TABLE,
  TABLE_LAYOUT,
  tableDocuments,
} from "../../lib/ftest/mod.ts";

const SCHEMA = "public";
const SPECIAL_ROWS = 3;

/** The `postgresql` fixture. */
export const postgresqlFixture: FtestFixture = {
  serviceType: "postgresql",
  sizes: {
    small: tableDocuments("small") + SPECIAL_ROWS,
    medium: tableDocuments("medium") + SPECIAL_ROWS,
    large: tableDocuments("large") + SPECIAL_ROWS,
  },
  dataset: "customers tables, a composite-key orders table and special-type rows; the removal " +
    "deletes 10 rows per table and one special-type row",
  start: async () => {
    const server = await startPostgres();
    return new PostgresData(server);
  },
};

type Server = Awaited<ReturnType<typeof startPostgres>>;

class PostgresData implements FixtureSource {
  readonly configuration;
  readonly access;
  readonly #server: Server;
  readonly #sql: postgres.Sql;
  /** Primary keys per table, as id suffixes (e.g. `7`, `3_2`). */
  readonly #keys = new Map<string, string[]>();
  #stopped?: Promise<void>;

  constructor(server: Server) {
    this.#server = server;
    this.#sql = postgres(server.url, { max: 2, onnotice: () => {} });
    this.configuration = {
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      database: server.database,
      schema: SCHEMA,
      tables: "*",
      ssl_enabled: false,
    };
    this.access = [`PostgreSQL ${server.version}: psql ${server.url}`];
  }

  async load({ size, rng }: { size: DatasetSize; rng: Rng }) {
    const sql = this.#sql;
    const { rows } = TABLE_LAYOUT[size];
    const samples: ExpectedDocument[] = [];
    const sampled = new Set([1, Math.ceil(rows / 2), rows]);
    for (const table of customerTables(size)) {
      await sql.unsafe(
        `CREATE TABLE ${table} (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL, ` +
          `age integer NOT NULL, city text NOT NULL, signup_date date NOT NULL, ` +
          `description text NOT NULL)`,
      );
      const generated = Array.from({ length: rows }, (_, i) => customerRow(rng, i + 1));
      for (const batch of batches(generated, (row) => row.description.length)) {
        await sql`INSERT INTO ${sql(table)} ${sql(batch)}`;
      }
      this.#keys.set(table, generated.map((row) => String(row.id)));
      for (const row of generated) {
        if (sampled.has(row.id)) samples.push(this.#expected(table, [row.id], row));
      }
    }
    await sql.unsafe(
      "CREATE TABLE orders (customer_id integer NOT NULL, order_no integer NOT NULL, " +
        "item text NOT NULL, quantity integer NOT NULL, note text NOT NULL, " +
        "PRIMARY KEY (customer_id, order_no))",
    );
    const orders = Array.from({ length: rows }, (_, i) => orderRow(rng, i));
    for (const batch of batches(orders, (row) => row.note.length)) {
      await sql`INSERT INTO orders ${sql(batch)}`;
    }
    this.#keys.set("orders", orders.map((row) => `${row.customer_id}_${row.order_no}`));
    for (const row of [orders[0], orders[rows - 1]]) {
      samples.push(this.#expected("orders", [row.customer_id, row.order_no], row));
    }
    await sql.unsafe(
      "CREATE TABLE special_types (id integer PRIMARY KEY, address inet NOT NULL, " +
        "network cidr NOT NULL, uid uuid NOT NULL, location point NOT NULL, flags bit(4) NOT NULL, " +
        "attributes jsonb NOT NULL)",
    );
    const special = Array.from({ length: SPECIAL_ROWS }, (_, i) => ({
      id: i + 1,
      address: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      network: `192.168.${i}.0/24`,
      uid: uuidFrom(rng),
      location: `(${rng.int(-90, 90)},${rng.int(-180, 180)})`,
      flags: rng.int(0, 15).toString(2).padStart(4, "0"),
      attributes: { tier: rng.pick(["gold", "silver"]), score: rng.int(1, 100) },
    }));
    for (const row of special) {
      await sql`INSERT INTO special_types (id, address, network, uid, location, flags, attributes)
        VALUES (${row.id}, ${row.address}::inet, ${row.network}::cidr, ${row.uid}::uuid,
          ${row.location}::point, ${row.flags}::bit(4), ${sql.json(row.attributes)})`;
    }
    this.#keys.set("special_types", special.map((row) => String(row.id)));
    samples.push(
      this.#expected("special_types", [1], {
        id: 1,
        address: special[0].address,
        uid: special[0].uid,
        attributes: special[0].attributes,
      }),
    );
    return { documents: tableDocuments(size) + SPECIAL_ROWS, samples };
  }

  /** The document of one row: `<database>_<schema>_<table>_<keys>`, `<schema>_<table>_<column>`. */
  #expected(table: string, keys: unknown[], row: object): ExpectedDocument {
    const fields: Record<string, unknown> = {
      database: this.#server.database,
      schema: SCHEMA,
      table,
    };
    for (const [column, value] of Object.entries(row)) {
      fields[`${SCHEMA}_${table}_${column}`.toLowerCase()] = value;
    }
    return { id: `${this.#server.database}_${SCHEMA}_${table}_${keys.join("_")}`, fields };
  }

  async remove({ rng }: { rng: Rng }) {
    const sql = this.#sql;
    const ids: string[] = [];
    for (const [table, keys] of this.#keys) {
      const count = table === "special_types" ? 1 : ROWS_REMOVED_PER_TABLE;
      const removed = rng.sample(keys, count);
      let deleted = 0;
      for (const key of removed) {
        const [first, second] = key.split("_").map(Number);
        const result = table === "orders"
          ? await sql`DELETE FROM orders WHERE customer_id = ${first} AND order_no = ${second}`
          : await sql`DELETE FROM ${sql(table)} WHERE id = ${first}`;
        deleted += result.count;
      }
      if (deleted !== removed.length) {
        throw new Error(`deleting from ${table} removed ${deleted} rows, not ${removed.length}`);
      }
      const gone = new Set(removed);
      this.#keys.set(table, keys.filter((key) => !gone.has(key)));
      ids.push(...removed.map((key) => `${this.#server.database}_${SCHEMA}_${table}_${key}`));
    }
    return { ids };
  }

  stop(): Promise<void> {
    return this.#stopped ??= (async () => {
      await this.#sql.end({ timeout: 5 }).catch(() => {});
      await this.#server.stop();
    })();
  }
}

/** A version-4-shaped UUID drawn from `rng`. */
function uuidFrom(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[rng.int(0, 3)];
  const text = hex.join("");
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${
    text.slice(20)
  }`;
}
