/**
 * How MySQL column values become document values. The plan is computed once per query from the
 * result's column metadata, so the per-row work is a short loop over the columns that need a
 * conversion; every other value is kept as mysql2 parsed it.
 *
 * Connections must use `dateStrings: true`, `supportBigNumbers: true`, `bigNumberStrings: false`
 * and session `time_zone = '+00:00'` (see client.ts). Then:
 * - integers: numbers; BIGINT beyond ±2^53 and DECIMAL: strings, exact as MySQL prints them;
 * - FLOAT/DOUBLE, YEAR: numbers; TINYINT(1)/BOOL: 0 or 1;
 * - DATE: `2024-02-29`; DATETIME: `2024-02-29T13:14:15.123456` (no zone, as stored);
 *   TIMESTAMP: `2024-02-29T13:14:15.123Z` (UTC); zero dates (`0000-00-00...`): null;
 * - TIME: as MySQL prints it (`-838:59:59.000`), since it is a duration, not a time of day;
 * - BIT(n): a string of n `0`/`1` characters, e.g. `0101`;
 * - BINARY/VARBINARY/BLOB: base64 of the bytes;
 * - JSON: the parsed value; ENUM: its string; SET: an array of its members;
 * - spatial types: WKT text, as `ST_AsText()` prints it (see wkt.ts).
 * @module
 */
import { Buffer } from "node:buffer";
import type { FieldPacket } from "mysql2/promise";
import { geometryToWkt } from "./wkt.ts";

/** mysql2's column type numbers (protocol `MYSQL_TYPE_*`). */
const TYPE = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  BIT: 16,
  NEWDECIMAL: 246,
  GEOMETRY: 255,
} as const;
const BINARY_CHARSET = 63;
const SET_FLAG = 2048;
const NOT_NULL_FLAG = 1;
const NUMERIC_TYPES: ReadonlySet<number> = new Set([
  TYPE.DECIMAL,
  TYPE.TINY,
  TYPE.SHORT,
  TYPE.LONG,
  TYPE.LONGLONG,
  TYPE.INT24,
  TYPE.YEAR,
  TYPE.NEWDECIMAL,
]);

/** Converts one non-null column value. */
type Converter = (value: never) => unknown;

/** Per-query conversions: column names and their converters, in result order. */
export interface RowPlan {
  /** Every column name of the result, in order. */
  columns: string[];
  /** Only the columns whose values need converting. */
  convert: { name: string; to: Converter }[];
  /** True when the query returns spatial columns: pass {@linkcode geometryAsWkt} as typeCast. */
  hasGeometry: boolean;
}

/** The conversions for a result with these columns. */
export function rowPlan(fields: FieldPacket[]): RowPlan {
  const convert: RowPlan["convert"] = [];
  let hasGeometry = false;
  for (const field of fields) {
    const to = converterFor(field);
    if (to) convert.push({ name: field.name, to });
    if (typeOf(field) === TYPE.GEOMETRY) hasGeometry = true;
  }
  return { columns: fields.map((field) => field.name), convert, hasGeometry };
}

/** Applies `plan` to `row` in place and returns it. */
export function convertRow(row: Record<string, unknown>, plan: RowPlan): Record<string, unknown> {
  for (const { name, to } of plan.convert) {
    const value = row[name];
    if (value !== null && value !== undefined) row[name] = to(value as never);
  }
  return row;
}

/** A mysql2 `typeCast` that reads spatial columns as WKT and leaves the rest to mysql2. */
export function geometryAsWkt(
  field: { type: string; buffer(): Buffer | null },
  next: () => unknown,
): unknown {
  if (field.type !== "GEOMETRY") return next();
  const bytes = field.buffer();
  return bytes === null ? null : geometryToWkt(bytes);
}

/**
 * A value for a `?` placeholder that compares like the column's own value: integer and decimal
 * values mysql2 returned as strings become raw numeric literals, since MySQL compares a numeric
 * column with a quoted string as doubles and would lose precision past 2^53.
 */
export function sqlValue(value: unknown, field: FieldPacket): unknown {
  if (typeof value === "string" && NUMERIC_TYPES.has(typeOf(field))) {
    if (!/^-?\d+(\.\d+)?$/.test(value)) throw new Error(`not a number: ${value}`);
    return { toSqlString: () => value };
  }
  return value;
}

/** True when the column can never hold NULL (safe for keyset pagination). */
export function isNotNull(field: FieldPacket): boolean {
  return typeof field.flags === "number"
    ? (field.flags & NOT_NULL_FLAG) !== 0
    : field.flags.includes("NOT_NULL");
}

/**
 * A value for a document id, before conversion: text as is, numbers in decimal, bytes in hex.
 */
export function idPart(value: unknown): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString("hex") : String(value);
}

function typeOf(field: FieldPacket): number {
  return field.columnType ?? field.type ?? -1;
}

function converterFor(field: FieldPacket): Converter | undefined {
  const flags = typeof field.flags === "number" ? field.flags : 0;
  switch (typeOf(field)) {
    case TYPE.DATE:
    case TYPE.NEWDATE:
      return dateValue;
    case TYPE.DATETIME:
      return dateTimeValue;
    case TYPE.TIMESTAMP:
      return timestampValue;
    case TYPE.BIT: {
      const width = field.columnLength ?? 1;
      return (bytes: Buffer) => bitString(bytes, width);
    }
    case TYPE.GEOMETRY:
      return undefined; // Converted while parsing, by geometryAsWkt.
  }
  if ((flags & SET_FLAG) !== 0) return setMembers;
  if (field.characterSet === BINARY_CHARSET) return base64;
  return undefined;
}

function dateValue(text: string): string | null {
  return text.startsWith("0000-00-00") ? null : text;
}

function dateTimeValue(text: string): string | null {
  return text.startsWith("0000-00-00") ? null : text.replace(" ", "T");
}

function timestampValue(text: string): string | null {
  return text.startsWith("0000-00-00") ? null : text.replace(" ", "T") + "Z";
}

function bitString(bytes: Buffer, width: number): string {
  let bits = "";
  for (const byte of bytes) bits += byte.toString(2).padStart(8, "0");
  return bits.slice(-width).padStart(width, "0");
}

function setMembers(text: string): string[] {
  return text === "" ? [] : text.split(",");
}

function base64(value: Buffer | string): string | unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value;
}
