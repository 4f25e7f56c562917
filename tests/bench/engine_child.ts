/**
 * INTERIM stand-in for `connectors sync` until cli/sync.ts and lib/protocol land: one full
 * sync through lib/sync with the same config.yml, then a summary line. Deleted when the CLI
 * path is wired.
 * @module
 */
import { loadConfig } from "../../lib/config/mod.ts";
import { bulkSettingsFromConfig, esClientFromConfig } from "../../lib/es/from_config.ts";
import { configureLogging, Logger } from "../../lib/log/mod.ts";
import { runSync } from "../../lib/sync/mod.ts";
import type { ConfigValues, ConnectorType } from "../../lib/source/types.ts";
import { postgresqlConnector } from "../../connectors/postgresql/mod.ts";
import { dirConnector } from "../../connectors/dir/mod.ts";

const [configPath, connectorPath] = Deno.args;
const { config } = await loadConfig(configPath);
configureLogging({ level: config.service.log_level });
const connector = JSON.parse(await Deno.readTextFile(connectorPath)) as {
  service_type: string;
  index_name: string;
  configuration: ConfigValues;
};
const types: Record<string, ConnectorType> = {
  postgresql: postgresqlConnector,
  dir: dirConnector,
};
const type = types[connector.service_type];
const logger = new Logger({ index_name: connector.index_name });
const es = esClientFromConfig(config);
const started = performance.now();
const result = await runSync({
  es,
  indexName: connector.index_name,
  language: null,
  jobType: "full",
  source: type.create({ config: connector.configuration, logger }),
  features: type.features,
  basicRules: [],
  pipeline: {
    name: "",
    extract_binary_content: true,
    reduce_whitespace: true,
    run_ml_inference: true,
  },
  cursor: null,
  bulk: bulkSettingsFromConfig(config),
  maxFileSize: config.service.max_file_download_size,
  maxDeletionRatio: config.service.max_deletion_ratio,
  allowMassDelete: false,
  signal: new AbortController().signal,
  logger,
});
es.close();
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, ...result.stats }));
