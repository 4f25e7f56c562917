/**
 * Shared output pieces of the management commands: the `-o text|json` option, aligned
 * `name: value` listings and short cells for tables.
 * @module
 */
import { Option } from "@commander-js/extra-typings";

/** `-o, --output text|json` (default text). */
export function outputOption() {
  return new Option("-o, --output <format>", "output format")
    .choices(["text", "json"] as const)
    .default("text" as const);
}

/** Prints JSON, indented, on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** A `name: value` pair, or a heading (value undefined) whose following pairs are indented. */
export type FieldLine = [name: string, value?: unknown];

/** Prints `name: value` lines with values aligned; nulls print as `-`. */
export function printFields(lines: FieldLine[], write: (line: string) => void = console.log): void {
  const width = Math.max(...lines.map(([name]) => name.length)) + 1;
  for (const [name, value] of lines) {
    if (value === undefined && !name.startsWith(" ")) {
      write(`${name}:`);
      continue;
    }
    write(`${`${name}:`.padEnd(width + 1)}${cell(value)}`.trimEnd());
  }
}

/** A value as a single table cell or field value: `-` for null, JSON for objects. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(String).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, " ");
}

/** `text` cut to `max` characters with an ellipsis. */
export function short(text: string | null | undefined, max = 60): string {
  if (!text) return "-";
  const line = text.replace(/\s*\n\s*/g, " ");
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** An ISO timestamp without milliseconds, for tables (`2024-05-01T10:00:00Z`). */
export function when(iso: string | null | undefined): string {
  if (!iso) return "-";
  return iso.replace(/\.\d+Z$/, "Z");
}
