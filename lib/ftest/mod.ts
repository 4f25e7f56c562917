/**
 * `connectors ftest`: end-to-end tests of a connector against a real Elasticsearch and a real
 * data source, with seeded datasets and exact expectations. Fixtures live beside each
 * connector (`connectors/<type>/ftest.ts`) and implement {@linkcode FtestFixture}.
 * @module
 */

export * from "./types.ts";
export { DEFAULT_SEED, Rng } from "./rng.ts";
export { contentText, FILE_MIX, paragraph, ROW_MIX, sentence, slug, textOfSize } from "./text.ts";
export {
  batches,
  customerRow,
  customerTables,
  orderRow,
  ROWS_REMOVED_PER_TABLE,
  TABLE_LAYOUT,
  tableDocuments,
} from "./tables.ts";
export { type FtestOptions, type FtestResult, runFtest } from "./run.ts";
export { type CheckFailure, describeFailure, FtestError, type FtestSummary } from "./report.ts";
export { type ElasticsearchAccess, type ElasticsearchHandle } from "./elasticsearch.ts";
