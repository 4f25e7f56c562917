/**
 * Turns result rows (value arrays) into documents with everything per-column worked out once
 * per result shape: field names, array parsers, key positions.
 * @module
 */
import type { SourceDocument } from "../../lib/source/types.ts";
import { docId, fieldNames } from "../sql/mod.ts";
import type { ArrayType } from "./catalog.ts";
import { parseArray, PARSERS } from "./values.ts";

/** A result column as postgres.js describes it. */
export interface ResultColumn {
  name: string;
  type: number;
}

/** What every document of one table or query shares. */
export interface DocShape {
  /** Field-name prefix, e.g. `public_orders_`. */
  prefix: string;
  /** Id prefix, e.g. `db_public_orders_`. */
  idPrefix: string;
  /** Result positions of the key values, in key order. */
  keyIndexes: number[];
  /** Position of the commit-time column appended to the select list, or -1. */
  commitTimeIndex: number;
  /** Constant fields: `database`, `schema`, `table`. */
  constants: { database: string; schema: string; table: string | string[] };
}

/** Builds documents for one result shape; make one per table or query. */
export class DocBuilder {
  readonly #names: string[];
  readonly #arrays:
    ({ element: ((text: string) => unknown) | undefined; delimiter: string } | null)[];
  readonly #columnCount: number;
  readonly #shape: DocShape;

  constructor(
    options: { columns: ResultColumn[]; shape: DocShape; arrayTypes: Map<number, ArrayType> },
  ) {
    const { columns, shape } = options;
    this.#shape = shape;
    this.#columnCount = shape.commitTimeIndex >= 0 ? shape.commitTimeIndex : columns.length;
    const dataColumns = columns.slice(0, this.#columnCount);
    this.#names = fieldNames(shape.prefix, dataColumns.map((column) => column.name));
    this.#arrays = dataColumns.map((column) => {
      const array = options.arrayTypes.get(column.type);
      return array ? { element: PARSERS.get(array.element), delimiter: array.delimiter } : null;
    });
  }

  /** The document for one row; `fallbackTime` stamps rows without a commit time. */
  build(row: unknown[], fallbackTime: string): SourceDocument {
    const shape = this.#shape;
    const keys = shape.keyIndexes;
    const keyValues = new Array(keys.length);
    for (let k = 0; k < keys.length; k++) keyValues[k] = this.#value(row, keys[k]);
    const commitTime = shape.commitTimeIndex >= 0 ? row[shape.commitTimeIndex] : null;
    const doc: SourceDocument = {
      _id: docId(shape.idPrefix, keyValues),
      _timestamp: typeof commitTime === "string" ? commitTime : fallbackTime,
      database: shape.constants.database,
      schema: shape.constants.schema,
      table: shape.constants.table,
    };
    const names = this.#names;
    for (let i = 0; i < this.#columnCount; i++) doc[names[i]] = this.#value(row, i);
    return doc;
  }

  #value(row: unknown[], index: number): unknown {
    const value = row[index];
    const array = this.#arrays[index];
    return array === null || value === null || typeof value !== "string"
      ? value
      : parseArray(value, array.element, array.delimiter);
  }
}
