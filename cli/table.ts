/**
 * Plain-text tables for list commands: aligned columns, no borders, easy to grep.
 * @module
 */

/** Prints `rows` under `headers` with columns padded to their widest cell. */
export function printTable(
  headers: string[],
  rows: string[][],
  write: (line: string) => void = console.log,
): void {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  write(line(headers));
  for (const row of rows) write(line(row));
}
