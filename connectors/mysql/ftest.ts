/**
 * ftest fixture for `mysql`: a throwaway MariaDB with `customers_<n>` tables (1×500 / 3×3 000 /
 * 5×7 000 rows) and an `orders` table with a two-column primary key; the removal deletes 10 rows
 * from every table.
 * @module
 */
import type mysql from "mysql2/promise";
import { loadMysql2 } from "../../lib/util/mysql2.ts";
import { startMariadb } from "../../lib/harness/mod.ts";
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

/** The `mysql` fixture. */
export const mysqlFixture: FtestFixture = {
  serviceType: "mysql",
  sizes: {
    small: tableDocuments("small"),
    medium: tableDocuments("medium"),
    large: tableDocuments("large"),
  },
  dataset: "customers tables and a composite-key orders table; the removal deletes 10 rows " +
    "per table",
  start: async () => {
    const server = await startMariadb();
    try {
      const connection = await (await loadMysql2()).createConnection({
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        database: server.database,
        charset: "utf8mb4",
      });
      return new MysqlData(server, connection);
    } catch (error) {
      await server.stop();
      throw error;
    }
  },
};

type Server = Awaited<ReturnType<typeof startMariadb>>;

class MysqlData implements FixtureSource {
  readonly configuration;
  readonly access;
  readonly #server: Server;
  readonly #connection: mysql.Connection;
  /** Primary keys per table, as id strings without the table prefix (e.g. `7`, `3_2`). */
  readonly #keys = new Map<string, string[]>();
  #stopped?: Promise<void>;

  constructor(server: Server, connection: mysql.Connection) {
    this.#server = server;
    this.#connection = connection;
    this.configuration = {
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database,
      tables: "*",
      ssl_enabled: false,
    };
    this.access = [
      `MariaDB ${server.version}: mysql -h ${server.host} -P ${server.port} -u ${server.user} ` +
      `-p'${server.password}' ${server.database}`,
    ];
  }

  async load({ size, rng }: { size: DatasetSize; rng: Rng }) {
    const { rows } = TABLE_LAYOUT[size];
    const samples: ExpectedDocument[] = [];
    const sampled = new Set([1, Math.ceil(rows / 2), rows]);
    for (const table of customerTables(size)) {
      await this.#connection.query(
        `CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, ` +
          `email VARCHAR(200) NOT NULL, age INT NOT NULL, city VARCHAR(50) NOT NULL, ` +
          `signup_date DATE NOT NULL, description MEDIUMTEXT NOT NULL) CHARACTER SET utf8mb4`,
      );
      const generated = Array.from({ length: rows }, (_, i) => customerRow(rng, i + 1));
      for (const batch of batches(generated, (row) => row.description.length)) {
        await this.#connection.query(
          `INSERT INTO ${table} (id, name, email, age, city, signup_date, description) VALUES ?`,
          [batch.map((r) => [r.id, r.name, r.email, r.age, r.city, r.signup_date, r.description])],
        );
      }
      this.#keys.set(table, generated.map((row) => String(row.id)));
      for (const row of generated) {
        if (!sampled.has(row.id)) continue;
        // The engine sets `id` to the document id (as the reference does), hiding the column.
        const { id: _id, ...columns } = row;
        samples.push({
          id: `${table}_${row.id}`,
          fields: { ...columns, id: `${table}_${row.id}`, Table: table },
        });
      }
    }
    await this.#connection.query(
      "CREATE TABLE orders (customer_id INT NOT NULL, order_no INT NOT NULL, " +
        "item VARCHAR(100) NOT NULL, quantity INT NOT NULL, note MEDIUMTEXT NOT NULL, " +
        "PRIMARY KEY (customer_id, order_no)) CHARACTER SET utf8mb4",
    );
    const orders = Array.from({ length: rows }, (_, i) => orderRow(rng, i));
    for (const batch of batches(orders, (row) => row.note.length)) {
      await this.#connection.query(
        "INSERT INTO orders (customer_id, order_no, item, quantity, note) VALUES ?",
        [batch.map((r) => [r.customer_id, r.order_no, r.item, r.quantity, r.note])],
      );
    }
    this.#keys.set("orders", orders.map((row) => `${row.customer_id}_${row.order_no}`));
    for (const index of [0, rows - 1]) {
      const row = orders[index];
      samples.push({
        id: `orders_${row.customer_id}_${row.order_no}`,
        fields: { ...row, Table: "orders" },
      });
    }
    return { documents: tableDocuments(size), samples };
  }

  async remove({ rng }: { rng: Rng }) {
    const ids: string[] = [];
    for (const [table, keys] of this.#keys) {
      const removed = rng.sample(keys, ROWS_REMOVED_PER_TABLE);
      const tuples = removed.map((key) => key.split("_").map(Number));
      const where = table === "orders" ? "(customer_id, order_no) IN (?)" : "id IN (?)";
      const values = table === "orders" ? tuples : tuples.map(([id]) => id);
      const [result] = await this.#connection.query(`DELETE FROM ${table} WHERE ${where}`, [
        values,
      ]);
      const deleted = (result as mysql.ResultSetHeader).affectedRows;
      if (deleted !== removed.length) {
        throw new Error(`deleting from ${table} removed ${deleted} rows, not ${removed.length}`);
      }
      const gone = new Set(removed);
      this.#keys.set(table, keys.filter((key) => !gone.has(key)));
      ids.push(...removed.map((key) => `${table}_${key}`));
    }
    return { ids };
  }

  stop(): Promise<void> {
    return this.#stopped ??= (async () => {
      await this.#connection.end().catch(() => {});
      await this.#server.stop();
    })();
  }
}
