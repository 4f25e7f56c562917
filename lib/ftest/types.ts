/**
 * The contract between the ftest orchestrator and a connector's fixture
 * (`connectors/<type>/ftest.ts`): start a real data source, fill it with a seeded dataset,
 * remove part of it, and say exactly which documents the connector must produce.
 * @module
 */
import type { FieldValue } from "../source/types.ts";
import type { Rng } from "./rng.ts";

/** Dataset sizes, as in the reference's `DATA_SIZE`. */
export type DatasetSize = "small" | "medium" | "large";

/** Every size, smallest first. */
export const DATASET_SIZES: readonly DatasetSize[] = ["small", "medium", "large"];

/** A document the connector must have indexed: its id and some `_source` fields' exact values. */
export interface ExpectedDocument {
  id: string;
  /** Field name -> expected value in `_source` (compared as JSON). */
  fields: Record<string, unknown>;
}

/** What a load put into the data source. */
export interface LoadedData {
  /** Documents a full sync must index: the exact count expected in the content index. */
  documents: number;
  /** A few documents to fetch by id and compare field by field. */
  samples: ExpectedDocument[];
}

/** What a removal took out of the data source. */
export interface RemovedData {
  /** Ids of the documents that are gone from the source; the next full sync must delete them. */
  ids: string[];
}

/** A started data source holding one ftest's data. */
export interface FixtureSource {
  /** The connector's configuration values (field -> value) pointing at this source. */
  configuration: Record<string, FieldValue>;
  /**
   * How to reach the source by hand, one line each, for `--keep`. Lines may hold throwaway
   * credentials: the orchestrator writes them to a private file instead of printing them.
   */
  access: string[];
  /** Fills the source with the dataset of `size`, drawing every value from `rng`. */
  load(options: { size: DatasetSize; rng: Rng }): Promise<LoadedData>;
  /** Removes part of the data (deterministically, from `rng`). */
  remove(options: { rng: Rng }): Promise<RemovedData>;
  /** Stops the source and deletes its data; safe to call more than once. */
  stop(): Promise<void>;
}

/** One connector type's ftest fixture. */
export interface FtestFixture {
  /** The connector's `service_type`, e.g. `mysql`. */
  serviceType: string;
  /** Documents a load of each size produces: the exact expectation after the first sync. */
  sizes: Readonly<Record<DatasetSize, number>>;
  /** What the dataset is, in one line, e.g. "customers tables and a composite-key orders table". */
  dataset: string;
  /** Starts the data source on free loopback ports; `workdir` is a private temp folder. */
  start(options: { workdir: string }): Promise<FixtureSource>;
}
