/**
 * The exact checks of an ftest against the content index: document count, sampled documents
 * field by field, and removed ids gone. Each returns the failures it found; none throws on a
 * mismatch.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import type { CheckFailure } from "./report.ts";
import type { ExpectedDocument } from "./types.ts";

/** Refreshes `index` and compares its `_count` with `expected`. */
export async function checkCount(
  es: EsClient,
  options: { index: string; expected: number; when: string },
): Promise<{ count: number; failures: CheckFailure[] }> {
  const index = encodeURIComponent(options.index);
  await es.request("POST", `/${index}/_refresh`);
  const { body } = await es.request<{ count: number }>("GET", `/${index}/_count`);
  const failures = body.count === options.expected ? [] : [{
    what: `documents in ${options.index} ${options.when}`,
    expected: options.expected,
    actual: body.count,
  }];
  return { count: body.count, failures };
}

/** Fetches `samples` by id and compares every expected field (as JSON) with `_source`. */
export async function checkSamples(
  es: EsClient,
  options: { index: string; samples: ExpectedDocument[]; when: string },
): Promise<CheckFailure[]> {
  if (options.samples.length === 0) return [];
  const docs = await fetchById(es, options.index, options.samples.map((sample) => sample.id));
  const failures: CheckFailure[] = [];
  for (const sample of options.samples) {
    const source = docs.get(sample.id);
    if (!source) {
      failures.push({
        what: `document ${sample.id} ${options.when}`,
        expected: "present",
        actual: "missing",
      });
      continue;
    }
    for (const [field, expected] of Object.entries(sample.fields)) {
      if (sameJson(source[field], expected)) continue;
      failures.push({
        what: `field ${field} of document ${sample.id} ${options.when}`,
        expected,
        actual: source[field],
      });
    }
  }
  return failures;
}

/** Checks that none of `ids` is still in `index`. */
export async function checkGone(
  es: EsClient,
  options: { index: string; ids: string[]; when: string },
): Promise<CheckFailure[]> {
  if (options.ids.length === 0) return [];
  const docs = await fetchById(es, options.index, options.ids);
  const left = options.ids.filter((id) => docs.has(id));
  return left.length === 0 ? [] : [{
    what:
      `removed documents still in ${options.index} ${options.when} (${left.length} of ${options.ids.length})`,
    expected: [],
    actual: left.slice(0, 5),
  }];
}

async function fetchById(
  es: EsClient,
  index: string,
  ids: string[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < ids.length; start += 500) {
    const { body } = await es.request<{
      docs: { _id: string; found?: boolean; _source?: Record<string, unknown> }[];
    }>("POST", `/${encodeURIComponent(index)}/_mget`, {
      body: { ids: ids.slice(start, start + 500) },
    });
    for (const doc of body.docs) if (doc.found && doc._source) found.set(doc._id, doc._source);
  }
  return found;
}

/** Equal as JSON values, ignoring object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length &&
    ka.every((key) =>
      sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
    );
}
