/**
 * Launchers for real servers used by tests and `connectors ftest`: each starts a throwaway
 * server as a local process on free loopback ports and returns its connection info and `stop()`.
 *
 * @example
 * ```ts
 * import { startElasticsearch, startPostgres } from "./mod.ts";
 * const [es, pg] = await Promise.all([startElasticsearch(), startPostgres()]);
 * await Promise.all([es.stop(), pg.stop()]);
 * ```
 * @module
 */

export {
  type ElasticsearchOptions,
  type ElasticsearchServer,
  startElasticsearch,
} from "./elasticsearch.ts";
export { DEFAULT_ES_VERSION } from "./elasticsearch_dist.ts";
export { type PostgresOptions, type PostgresServer, startPostgres } from "./postgres.ts";
export { freePort } from "./ports.ts";
export { cacheRoot } from "./cache.ts";
export { type MariadbOptions, type MariadbServer, startMariadb } from "./mariadb.ts";
export { type S3Options, S3PROXY_VERSION, type S3Server, startS3 } from "./s3.ts";
