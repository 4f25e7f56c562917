/** Turns a YAML scalar (or `${ENV}` text) into the type a key wants, and says what it wants. */
import type { AnySpec } from "./schema.ts";

/** Coerces a scalar to the key's type, or undefined when it cannot be one. */
export function coerce(spec: AnySpec, raw: string | number | boolean): unknown {
  switch (spec.kind) {
    case "string":
      return String(raw);
    case "integer": {
      const n = typeof raw === "string" && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
      const inRange = typeof n === "number" && n >= spec.min &&
        (spec.max === undefined || n <= spec.max);
      return inRange && Number.isInteger(n) ? n : undefined;
    }
    case "number": {
      const n = typeof raw === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)
        ? Number(raw)
        : raw;
      if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
      const inRange = (spec.min === undefined || n >= spec.min) &&
        (spec.max === undefined || n <= spec.max) && (spec.above === undefined || n > spec.above);
      return inRange ? n : undefined;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const word = String(raw).trim().toLowerCase();
      if (["true", "yes", "1"].includes(word)) return true;
      if (["false", "no", "0"].includes(word)) return false;
      return undefined;
    }
    case "enum":
      return spec.values.find((v) => v.toLowerCase() === String(raw).trim().toLowerCase());
  }
  return undefined;
}

/** "must be ..." for a key's type. */
export function expectation(spec: AnySpec): string {
  switch (spec.kind) {
    case "string":
      return "must be a string";
    case "integer":
      return spec.max === undefined
        ? `must be an integer >= ${spec.min}`
        : `must be an integer between ${spec.min} and ${spec.max}`;
    case "number":
      if (spec.min !== undefined && spec.max !== undefined) {
        return `must be a number between ${spec.min} and ${spec.max}`;
      }
      if (spec.above !== undefined) {
        return `must be a number > ${spec.above}` +
          (spec.max === undefined ? "" : ` and <= ${spec.max}`);
      }
      return `must be a number >= ${spec.min ?? 0}`;
    case "boolean":
      return "must be true or false";
    case "enum":
      return `must be one of ${spec.values.join(", ")}`;
    default:
      return "has the wrong type";
  }
}
