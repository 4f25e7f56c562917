/**
 * Shape of the S3 connector's advanced sync rules, as in the reference (`docs/sync-rules/s3.md`):
 * a JSON array of `{bucket: "name", prefix?: "folder/", extension?: [".pdf", ...]}` and no other
 * keys. Each rule syncs the objects of one bucket under a prefix, optionally only some file types.
 * @module
 */

import { extensionOf } from "../../lib/source/files.ts";

/** One advanced rule, normalized. */
export interface S3Rule {
  bucket: string;
  /** "" for the whole bucket. */
  prefix: string;
  /** Lowercase extensions with their dot; empty for every object. */
  extensions: string[];
}

/** The parsed rules, or the problems that make them unusable. */
export type ParsedRules = { rules: S3Rule[]; problems: [] } | {
  rules: undefined;
  problems: string[];
};

const KEYS = ["bucket", "prefix", "extension"];

/** True when the value means "no advanced rules": absent, `[]` or `{}`. */
export function isEmptyRules(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/**
 * Checks the shape of advanced rules and returns them normalized, or every problem found, each
 * naming the rule by position. Extensions match case-insensitively, with or without their dot.
 *
 * @example
 * ```ts
 * parseRules([{ bucket: "docs", prefix: "2024/", extension: ["PDF"] }]);
 * // { rules: [{ bucket: "docs", prefix: "2024/", extensions: [".pdf"] }], problems: [] }
 * ```
 */
export function parseRules(value: unknown): ParsedRules {
  if (!Array.isArray(value)) {
    return {
      rules: undefined,
      problems: ['Advanced rules must be a JSON array of objects like {"bucket": "name"}.'],
    };
  }
  const rules: S3Rule[] = [];
  const problems: string[] = [];
  value.forEach((item, index) => {
    const where = `Rule ${index + 1}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push(
        `${where} must be an object with "bucket" and optionally "prefix", "extension".`,
      );
      return;
    }
    const record = item as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !KEYS.includes(key));
    if (unknown.length > 0) {
      problems.push(
        `${where} has unknown keys ${unknown.map((key) => JSON.stringify(key)).join(", ")}; ` +
          `allowed: "bucket", "prefix", "extension".`,
      );
    }
    const bucket = typeof record.bucket === "string" ? record.bucket.trim() : "";
    if (bucket === "") problems.push(`${where}: "bucket" must be a non-empty bucket name.`);
    if (record.prefix !== undefined && typeof record.prefix !== "string") {
      problems.push(`${where}: "prefix" must be a string, e.g. "folder1/docs".`);
    }
    const extension = record.extension;
    const extensionsValid = extension === undefined ||
      (Array.isArray(extension) && extension.every((item) => typeof item === "string"));
    if (!extensionsValid) {
      problems.push(`${where}: "extension" must be an array of strings, e.g. [".pdf", ".txt"].`);
    }
    if (problems.length === 0) {
      rules.push({
        bucket,
        prefix: (record.prefix as string | undefined) ?? "",
        extensions: ((extension as string[] | undefined) ?? [])
          .map((item) => item.trim().toLowerCase())
          .filter((item) => item !== "" && item !== ".")
          .map((item) => item.startsWith(".") ? item : `.${item}`),
      });
    }
  });
  return problems.length > 0 ? { rules: undefined, problems } : { rules, problems: [] };
}

/** Whether an object key passes a rule's extension filter. */
export function matchesExtensions(key: string, extensions: readonly string[]): boolean {
  return extensions.length === 0 || extensions.includes(extensionOf(key));
}
