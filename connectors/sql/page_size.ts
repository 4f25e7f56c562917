/**
 * Rows per keyset page, sized by bytes: `fetch_size` rows of 1 KB are 1 MB, but of 1 MB are a
 * gigabyte, which would not fit the service's heap. Pages aim at {@linkcode PAGE_BYTES}.
 * @module
 */

/** Bytes of row data a keyset page aims at: wide rows get fewer rows per page. */
export const PAGE_BYTES = 4 * 1024 * 1024;
/** Rows of the first page, before any row size is known. */
const FIRST_PAGE_ROWS = 100;
/** Rows of a page whose size is measured, spread evenly: enough for an average, cheap. */
const SAMPLED_ROWS = 50;

/**
 * Rows for the next page: as many as fit {@linkcode PAGE_BYTES} at the average row size of the
 * last page (null before the first), at least one and at most `maxRows` (`fetch_size`).
 * `values` lists a row's values (a PostgreSQL row is an array, a MySQL row an object).
 */
export function nextPageRows<Row>(
  lastPage: readonly Row[] | null,
  maxRows: number,
  values: (row: Row) => Iterable<unknown>,
): number {
  if (!lastPage || lastPage.length === 0) return Math.min(FIRST_PAGE_ROWS, maxRows);
  const step = Math.max(1, Math.floor(lastPage.length / SAMPLED_ROWS));
  let rows = 0;
  let bytes = 0;
  for (let i = 0; i < lastPage.length; i += step, rows++) bytes += rowBytes(values(lastPage[i]));
  const fit = Math.floor(PAGE_BYTES / Math.max(1, bytes / rows));
  return Math.max(1, Math.min(maxRows, fit));
}

/** Rough in-memory size of a row's values: text and binary by length, JSON by its text. */
export function rowBytes(values: Iterable<unknown>): number {
  let bytes = 0;
  for (const value of values) {
    if (typeof value === "string") bytes += value.length;
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      bytes += jsonLength(value);
    } else bytes += 8;
  }
  return bytes;
}

function jsonLength(value: object): number {
  try {
    return JSON.stringify(value)?.length ?? 8;
  } catch {
    return 64; // e.g. an array of bigints: only an estimate is needed
  }
}
