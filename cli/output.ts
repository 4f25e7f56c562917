/**
 * Shared output pieces of the management commands: the `-o text|json` and `--json` options,
 * aligned `name: value` listings and short cells for tables. JSON output is one document on
 * stdout and nothing else there (messages go to stderr), with the protocol's field names.
 * @module
 */
import { Option } from "@commander-js/extra-typings";

/** `-o, --output text|json` (default text). */
export function outputOption() {
  return new Option("-o, --output <format>", "output format")
    .choices(["text", "json"] as const)
    .default("text" as const);
}

/** `--json`: the same as `-o json`, for scripts. */
export function jsonOption() {
  return new Option("--json", "print one JSON document on stdout (same as -o json)")
    .implies({ output: "json" });
}

/** Prints JSON, indented, on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** A `name: value` pair, or a heading (value undefined) whose following pairs are indented. */
export type FieldLine = [name: string, value?: unknown];

/**
 * Prints `name: value` lines, values aligned among the top-level lines and within each
 * heading's indented lines; nulls print as `-`.
 */
export function printFields(lines: FieldLine[], write: (line: string) => void = console.log): void {
  const indented = (name: string) => name.startsWith(" ");
  const isHeading = ([name, value]: FieldLine) => value === undefined && !indented(name);
  const widths = lines.map(([name], at) => {
    let width = 0;
    for (let i = at; i >= 0 && !isHeading(lines[i]); i--) {
      if (indented(lines[i][0]) !== indented(name)) continue;
      width = Math.max(width, lines[i][0].length);
    }
    for (let i = at + 1; i < lines.length && !isHeading(lines[i]); i++) {
      if (indented(lines[i][0]) === indented(name)) width = Math.max(width, lines[i][0].length);
    }
    return width;
  });
  lines.forEach(([name, value], at) => {
    if (isHeading([name, value])) write(`${name}:`);
    else write(`${`${name}:`.padEnd(widths[at] + 2)}${cell(value)}`.trimEnd());
  });
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
