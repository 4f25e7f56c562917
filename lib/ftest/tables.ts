/**
 * The SQL ftest dataset shared by the mysql and postgresql fixtures (brief §6.1): `customers_<n>`
 * tables of generated people and one `orders` table with a two-column primary key. Fixtures
 * write their own DDL; the rows are the same for both databases.
 * @module
 */
import type { Rng } from "./rng.ts";
import { contentText, ROW_MIX, slug } from "./text.ts";
import type { DatasetSize } from "./types.ts";

/** Customers tables and rows per table (the orders table has as many rows) by size. */
export const TABLE_LAYOUT: Readonly<Record<DatasetSize, { tables: number; rows: number }>> = {
  small: { tables: 1, rows: 500 },
  medium: { tables: 3, rows: 3_000 },
  large: { tables: 5, rows: 7_000 },
};

/** Rows the removal deletes from every table. */
export const ROWS_REMOVED_PER_TABLE = 10;

/** Orders per customer in the `orders` table's key. */
const ORDERS_PER_CUSTOMER = 5;

/** Documents a load of `size` produces: every customers table plus `orders`. */
export function tableDocuments(size: DatasetSize): number {
  const { tables, rows } = TABLE_LAYOUT[size];
  return (tables + 1) * rows;
}

/** Names of the customers tables for `size`. */
export function customerTables(size: DatasetSize): string[] {
  return Array.from({ length: TABLE_LAYOUT[size].tables }, (_, i) => `customers_${i + 1}`);
}

/** One customer; columns in table order. */
export interface CustomerRow {
  id: number;
  name: string;
  email: string;
  age: number;
  city: string;
  signup_date: string;
  description: string;
}

const FIRST = ["Ada", "Ben", "Chloe", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ivo", "Jun"];
const LAST = ["Lovelace", "Okafor", "Schmidt", "Tanaka", "Moreau", "Silva", "Novak", "Haddad"];
const CITIES = ["Lisbon", "Osaka", "Nairobi", "Quito", "Tallinn", "Perth", "Montreal", "Pune"];

/** The customer with primary key `id`. */
export function customerRow(rng: Rng, id: number): CustomerRow {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const month = String(rng.int(1, 12)).padStart(2, "0");
  const day = String(rng.int(1, 28)).padStart(2, "0");
  return {
    id,
    name: `${first} ${last}`,
    email: `${first}.${last}.${id}@example.com`.toLowerCase(),
    age: rng.int(18, 90),
    city: rng.pick(CITIES),
    signup_date: `${rng.int(2015, 2024)}-${month}-${day}`,
    description: contentText(rng, ROW_MIX),
  };
}

/** One order; `(customer_id, order_no)` is the primary key. */
export interface OrderRow {
  customer_id: number;
  order_no: number;
  item: string;
  quantity: number;
  note: string;
}

/** The `index`-th order (0-based): keys run (1,1) (1,2) ... (1,5) (2,1) ... */
export function orderRow(rng: Rng, index: number): OrderRow {
  return {
    customer_id: 1 + Math.floor(index / ORDERS_PER_CUSTOMER),
    order_no: 1 + (index % ORDERS_PER_CUSTOMER),
    item: slug(rng),
    quantity: rng.int(1, 20),
    note: contentText(rng, ROW_MIX),
  };
}

/** Groups `rows` into batches of at most `maxBytes` of text (and at most 500 rows). */
export function* batches<T>(rows: Iterable<T>, size: (row: T) => number, maxBytes = 2_000_000) {
  let batch: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const rowBytes = size(row);
    if (batch.length > 0 && (bytes + rowBytes > maxBytes || batch.length >= 500)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(row);
    bytes += rowBytes;
  }
  if (batch.length > 0) yield batch;
}
