/**
 * Turns a source document into the document Elasticsearch stores: the `_id` becomes a string
 * (also `0`), is copied to `id` (the reference stores `id`), is hashed when longer than
 * Elasticsearch's 512-byte limit, `_timestamp` is always set, and the job's pipeline flags are
 * added. Values JSON cannot carry faithfully are repaired, with one warning per field: NaN and
 * ±Infinity become null (as `JSON.stringify` would do silently), strings with lone UTF-16
 * surrogates get U+FFFD in their place (as Lucene indexes them; strict JSON readers refuse the
 * escapes otherwise).
 *
 * @example
 * ```ts
 * const prepare = new DocumentPreparer({ now: new Date().toISOString() });
 * const doc = { _id: 0, title: "zero" };
 * prepare.prepare(doc); // "0"; doc.id === "0", doc._timestamp set, `_id` left out of its JSON
 * ```
 * @module
 */

import { createHash } from "node:crypto";
import { utf8Length } from "../es/bulk_batch.ts";
import type { SourceDocument } from "../source/types.ts";
import type { PipelineSettings } from "./types.ts";

/** Elasticsearch's limit on `_id`, in UTF-8 bytes. */
export const MAX_ID_BYTES = 512;
// A string of n UTF-16 code units has at most 3n UTF-8 bytes, so shorter ids need no count.
const SHORT_ID_LENGTH = Math.floor(MAX_ID_BYTES / 3);

/**
 * The id a document is stored under: its `_id` as a string, or the MD5 hex of that string
 * when it is longer than {@linkcode MAX_ID_BYTES} (the reference's `hash_id`, so indices it
 * wrote keep their ids). Undefined when the document has no usable id (missing or empty).
 */
export function documentId(raw: unknown): string | undefined {
  let id: string;
  if (typeof raw === "string") id = raw;
  else if (raw === undefined || raw === null) return undefined;
  else id = String(raw);
  if (id === "") return undefined;
  if (!id.isWellFormed()) id = id.toWellFormed();
  if (id.length <= SHORT_ID_LENGTH || utf8Length(id) <= MAX_ID_BYTES) return id;
  return hashId(id);
}

/** MD5 hex of the UTF-8 bytes of `id`, as the reference hashes over-long ids. */
export function hashId(id: string): string {
  return createHash("md5").update(id, "utf8").digest("hex");
}

/** Why {@linkcode documentId} refused an id, for logs and the failed-documents sample. */
export function idProblem(raw: unknown): string {
  return raw === undefined || raw === null
    ? "the source gave the document no _id; skipped"
    : "the source gave the document an empty _id, which Elasticsearch refuses; skipped";
}

/** Options for {@linkcode DocumentPreparer}. */
export interface DocumentPreparerOptions {
  /** `_timestamp` for documents the source gave none (ISO-8601). */
  now: string;
  /** The job's pipeline: its three flags are copied into every document. Omit for ACL docs. */
  pipeline?: PipelineSettings;
  /** Told about repaired values (the job's warnings); once per field and kind of repair. */
  warn?: (message: string) => void;
}

/** Nesting below this is not inspected; Elasticsearch's parser refuses over 1000 levels anyway. */
const MAX_INSPECTED_DEPTH = 1000;
/** Distinct repair warnings per sync at most (one per field and kind). */
const MAX_REPAIR_WARNINGS = 20;

type Container = Record<string, unknown> | unknown[];

/** Prepares documents in place; see the module docs. */
export class DocumentPreparer {
  readonly #now: string;
  readonly #pipeline?: PipelineSettings;
  readonly #warn?: (message: string) => void;
  /** "kind field" of repairs already warned about. */
  readonly #warned = new Set<string>();

  constructor(options: DocumentPreparerOptions) {
    this.#now = options.now;
    this.#pipeline = options.pipeline;
    this.#warn = options.warn;
  }

  /**
   * Prepares `doc` in place and returns its id, or undefined when it has no usable id (see
   * {@linkcode idProblem}); the document is then left untouched.
   */
  prepare(doc: SourceDocument): string | undefined {
    const id = documentId(doc._id);
    if (id === undefined) return undefined;
    // Undefined rather than `delete`: JSON.stringify leaves it out, and `delete` makes
    // V8 switch the object to a slow dictionary (3x slower serialization, measured).
    (doc as Record<string, unknown>)._id = undefined;
    this.#repair(doc, id);
    doc.id = id;
    if (typeof doc._timestamp !== "string" || doc._timestamp === "") doc._timestamp = this.#now;
    const pipeline = this.#pipeline;
    if (pipeline) {
      doc._extract_binary_content = pipeline.extract_binary_content;
      doc._reduce_whitespace = pipeline.reduce_whitespace;
      doc._run_ml_inference = pipeline.run_ml_inference;
    }
    return id;
  }

  // Iterative, so deep nesting cannot overflow the stack here. Most documents need nothing:
  // `needsRepair` finds that without allocating, at a third of the cost of this walk.
  #repair(doc: SourceDocument, id: string): void {
    if (!needsRepair(doc, 0)) return;
    const pending: [Container, string, number][] = [[doc, "", 0]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [container, path, depth] = next;
      const array = Array.isArray(container);
      // Array elements are reported under the array's field name.
      const keys = array ? container.keys() : Object.keys(container);
      for (const key of keys) {
        const value = (container as Record<string | number, unknown>)[key];
        if (typeof value === "string") {
          if (value.isWellFormed()) continue;
          (container as Record<string | number, unknown>)[key] = value.toWellFormed();
          this.#repaired(id, fieldPath(path, key, array), "unicode");
        } else if (typeof value === "number") {
          if (Number.isFinite(value)) continue;
          (container as Record<string | number, unknown>)[key] = null;
          this.#repaired(id, fieldPath(path, key, array), "number");
        } else if (isPlainContainer(value) && depth < MAX_INSPECTED_DEPTH) {
          pending.push([value, fieldPath(path, key, array), depth + 1]);
        }
      }
    }
  }

  #repaired(id: string, field: string, kind: "unicode" | "number"): void {
    const key = `${kind} ${field}`;
    if (this.#warned.has(key) || this.#warned.size >= MAX_REPAIR_WARNINGS) return;
    this.#warned.add(key);
    const what = kind === "unicode"
      ? "held invalid Unicode (a lone UTF-16 surrogate), replaced with U+FFFD"
      : "held NaN or Infinity, which JSON cannot carry; stored null";
    this.#warn?.(
      `document ${JSON.stringify(id)}: field ${JSON.stringify(field)} ${what} ` +
        `(later documents with the same problem in this field are not reported)`,
    );
  }
}

/** Whether {@linkcode DocumentPreparer}'s repair would change `value`: same fields, same depth. */
function needsRepair(value: unknown, depth: number): boolean {
  if (typeof value === "string") return !value.isWellFormed();
  if (typeof value === "number") return !Number.isFinite(value);
  if (!isPlainContainer(value) || depth > MAX_INSPECTED_DEPTH) return false;
  if (Array.isArray(value)) return value.some((element) => needsRepair(element, depth + 1));
  for (const key in value) if (needsRepair(value[key], depth + 1)) return true;
  return false;
}

function fieldPath(path: string, key: string | number, inArray: boolean): string {
  if (inArray) return path;
  return path === "" ? String(key) : `${path}.${key}`;
}

// Dates, buffers and other class instances serialize through their own toJSON, if any.
function isPlainContainer(value: unknown): value is Container {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
