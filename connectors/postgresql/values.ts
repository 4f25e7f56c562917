/**
 * How PostgreSQL values (text protocol) become document values. postgres.js calls these per
 * column type OID; arrays arrive as text and are parsed by {@linkcode parseArray} with the
 * element type's parser, so a value is converted exactly once and never through a lossy Date.
 * @module
 */
import { Buffer } from "node:buffer";

/** Turns the text form of one value into its document value. */
export type ValueParser = (text: string) => unknown;

/** Type OIDs of the built-in types converted here. */
export const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  point: 600,
  lseg: 601,
  path: 602,
  box: 603,
  polygon: 604,
  line: 628,
  float4: 700,
  float8: 701,
  circle: 718,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

/** Integers beyond ±2^53 stay strings: a JS number would round them. */
function int8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

/** NaN and ±Infinity become null: Elasticsearch rejects them in numeric fields. */
function float(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Up to 15 significant digits a double keeps exactly; longer numerics stay exact strings. */
const SAFE_DIGITS = 15;

/**
 * A `numeric` as a number when a double holds it exactly (at most 15 significant digits), else
 * as its exact decimal string; NaN/Infinity as strings.
 */
export function numeric(text: string): number | string {
  let first = -1;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 49 && code <= 57) { // 1-9
      if (first < 0) first = i;
      last = i;
    } else if (code < 48 || code > 57) {
      if (code !== 45 && code !== 46) return text; // NaN, Infinity
    }
  }
  if (first < 0) return 0;
  const point = text.indexOf(".");
  const digits = last - first + 1 - (point > first && point < last ? 1 : 0);
  return digits <= SAFE_DIGITS ? Number(text) : text;
}

/** `2024-01-31 10:11:12.5` to `2024-01-31T10:11:12.5`; BC and infinity are kept as text. */
function timestamp(text: string): string {
  return text.length > 10 && text.charCodeAt(10) === 32
    ? text.slice(0, 10) + "T" + text.slice(11)
    : text;
}

/** `2024-01-31 10:11:12+00` to `2024-01-31T10:11:12+00:00` (ISO-8601 needs minutes). */
function timestamptz(text: string): string {
  const iso = timestamp(text);
  const sign = iso.length - 3;
  const c = iso.charCodeAt(sign);
  return (c === 43 || c === 45) && sign > 10 ? iso + ":00" : iso;
}

function bytea(text: string): string {
  return Buffer.from(text.slice(2), "hex").toString("base64");
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|[-+]?Infinity|NaN/gi;

function numbers(text: string): string[] {
  return text.match(NUMBER) ?? [];
}

function pairs(xs: string[]): string[] {
  const points: string[] = [];
  for (let i = 0; i + 1 < xs.length; i += 2) points.push(`(${xs[i]}, ${xs[i + 1]})`);
  return points;
}

/** `(1,2)` to `(1, 2)`, the reference's point form. */
function point(text: string): string {
  return pairs(numbers(text))[0] ?? text;
}

/** Segment and box: `[(x1, y1), (x2, y2)]` (a box lists its high corner first). */
function twoPoints(text: string): string {
  return `[${pairs(numbers(text)).join(", ")}]`;
}

/** `((1,2),(3,4))` closed or `[(1,2),(3,4)]` open to `closed [(1, 2), (3, 4)]`. */
function path(text: string): string {
  return `${text.startsWith("[") ? "open" : "closed"} [${pairs(numbers(text)).join(", ")}]`;
}

function polygon(text: string): string {
  return `[${pairs(numbers(text)).join(", ")}]`;
}

/** `<(1,2),3>` to `((1, 2), 3)`. */
function circle(text: string): string {
  const [x, y, r] = numbers(text);
  return `((${x}, ${y}), ${r})`;
}

/** `{1,-1,0}` (Ax + By + C = 0) to `(1, -1, 0)`. */
function line(text: string): string {
  return `(${numbers(text).join(", ")})`;
}

/** Parsers by type OID; types not listed stay as PostgreSQL's text. */
export const PARSERS: ReadonlyMap<number, ValueParser> = new Map<number, ValueParser>([
  [OID.bool, (text) => text === "t"],
  [OID.bytea, bytea],
  [OID.int8, int8],
  [OID.int2, Number],
  [OID.int4, Number],
  [OID.oid, Number],
  [OID.json, JSON.parse],
  [OID.jsonb, JSON.parse],
  [OID.float4, float],
  [OID.float8, float],
  [OID.numeric, numeric],
  [OID.date, (text) => text],
  [OID.timestamp, timestamp],
  [OID.timestamptz, timestamptz],
  [OID.point, point],
  [OID.lseg, twoPoints],
  [OID.box, twoPoints],
  [OID.path, path],
  [OID.polygon, polygon],
  [OID.circle, circle],
  [OID.line, line],
]);

/** One entry of postgres.js's `types` option. */
export interface PostgresType {
  to: number;
  from: number[];
  parse: ValueParser;
  serialize: (value: unknown) => string;
}

/**
 * The `types` option for postgres.js: our parsers replace its defaults (which turn timestamps
 * into millisecond Dates and bytea into Buffers), and parameters go back in the same form, so
 * a key read from one page can be sent as the lower bound of the next.
 */
export function postgresTypes(): Record<string, PostgresType> {
  const types: Record<string, PostgresType> = {};
  for (const [oid, parse] of PARSERS) {
    const serialize = oid === OID.bytea ? serializeBytea : serializeParameter;
    types[`oid${oid}`] = { to: oid, from: [oid], parse, serialize };
  }
  return types;
}

function serializeParameter(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Documents carry bytea as base64; PostgreSQL's text input wants `\x` and hex. */
function serializeBytea(value: unknown): string {
  return "\\x" + Buffer.from(String(value), "base64").toString("hex");
}

/**
 * Parses an array's text form (`{1,NULL,"a b"}`, nested for more dimensions, with optional
 * `[1:2]=` bounds) into nested arrays; `delimiter` is `;` for box arrays, else `,`.
 *
 * @example
 * ```ts
 * parseArray('{1,NULL,3}', Number, ","); // [1, null, 3]
 * ```
 */
export function parseArray(
  text: string,
  element: ValueParser | undefined,
  delimiter: string,
): unknown[] {
  let i = 0;
  if (text.charCodeAt(0) === 91) i = text.indexOf("=") + 1; // "[1:3]={...}"
  const delim = delimiter.charCodeAt(0);
  const parse = (): unknown[] => {
    const out: unknown[] = [];
    i++; // "{"
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 125) { // "}"
        i++;
        return out;
      }
      if (c === delim) {
        i++;
        continue;
      }
      if (c === 123) { // "{"
        out.push(parse());
      } else if (c === 34) { // quoted element, backslash escapes
        let value = "";
        let start = ++i;
        while (text.charCodeAt(i) !== 34) {
          if (text.charCodeAt(i) === 92) {
            value += text.slice(start, i);
            start = ++i;
          }
          i++;
        }
        value += text.slice(start, i++);
        out.push(element ? element(value) : value);
      } else {
        const start = i;
        while (i < text.length) {
          const d = text.charCodeAt(i);
          if (d === delim || d === 125) break;
          i++;
        }
        const raw = text.slice(start, i);
        out.push(raw === "NULL" ? null : element ? element(raw) : raw);
      }
    }
    return out;
  };
  return parse();
}
