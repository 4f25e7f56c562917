/**
 * `connectors index list|clean|delete`: look after content indices without Kibana. `clean`
 * deletes every document through `_bulk`, so it works on clusters without `_delete_by_query`.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { BulkSink } from "../lib/es/bulk_sink.ts";
import type { EsClient } from "../lib/es/client.ts";
import { bulkSettingsFromConfig } from "../lib/es/from_config.ts";
import { log } from "../lib/log/mod.ts";
import { emptyStats } from "../lib/sync/mod.ts";
import { indexIdPages } from "../lib/sync/index_reads.ts";
import { confirm } from "./confirm.ts";
import { commandContext } from "./context.ts";
import { jsonOption, outputOption, printJson } from "./output.ts";
import { printTable } from "./table.ts";

interface CatIndex {
  index: string;
  health: string;
  status: string;
  "docs.count": string | null;
  "store.size": string | null;
}

/** The `index` command group. */
export function indexCommand(): Command {
  const group = new Command("index").description("list, clean and delete content indices");
  group.command("list")
    .description("indices with their document counts (hidden and system indices left out)")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("--all", "include hidden and system indices")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (options) => {
      const { es } = await commandContext(options);
      const json = options.output === "json";
      const { body } = await es.request<CatIndex[]>("GET", "/_cat/indices", {
        query: {
          format: "json",
          h: "index,health,status,docs.count,store.size",
          s: "index",
          expand_wildcards: options.all ? "all" : "open",
          // Scripts get sizes in bytes; people get 1.2mb.
          bytes: json ? "b" : undefined,
        },
      });
      // The protocol indices' aliases are not hidden, so "open" still lists them: leave out
      // every dot-name, as Kibana does.
      const rows = options.all ? body : body.filter((row) => !row.index.startsWith("."));
      if (json) {
        printJson(rows.map((row) => ({
          index: row.index,
          health: row.health,
          status: row.status,
          documents: numberOrNull(row["docs.count"]),
          size_bytes: numberOrNull(row["store.size"]),
        })));
        return;
      }
      printTable(
        ["INDEX", "HEALTH", "DOCUMENTS", "SIZE"],
        rows.map((
          row,
        ) => [row.index, row.health, row["docs.count"] ?? "", row["store.size"] ?? ""]),
      );
    });
  group.command("clean")
    .description("delete every document of an index, keeping its settings and mappings")
    .argument("<index>", "index name")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (index, options) => {
      const context = await commandContext(options);
      const count = await documentCount(context.es, index);
      confirm(`Delete all ${count} documents of ${index}?`, options);
      const deleted = await deleteAllDocuments({ ...context, index });
      console.log(`Deleted ${deleted} documents from ${index}.`);
    });
  group.command("delete")
    .description("delete an index with its documents, settings and mappings")
    .argument("<index>", "index name")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (index, options) => {
      const { es } = await commandContext(options);
      const count = await documentCount(es, index);
      confirm(`Delete index ${index} and its ${count} documents?`, options);
      await es.request("DELETE", `/${encodeURIComponent(index)}`);
      console.log(`Deleted index ${index}.`);
    });
  return group;
}

/** A `_cat` number (a string, or null for closed indices). */
function numberOrNull(value: string | null): number | null {
  return value === null || value === "" ? null : Number(value);
}

async function documentCount(es: EsClient, index: string): Promise<number> {
  const { body } = await es.request<{ count: number }>(
    "GET",
    `/${encodeURIComponent(index)}/_count`,
  );
  return body.count;
}

async function deleteAllDocuments(
  options: Awaited<ReturnType<typeof commandContext>> & { index: string },
): Promise<number> {
  const { es, config, index } = options;
  const signal = new AbortController().signal;
  const stats = emptyStats();
  const sink = new BulkSink({
    es,
    index,
    settings: bulkSettingsFromConfig(config),
    stats,
    logger: log.child({ index_name: index }),
    signal,
  });
  for await (const ids of indexIdPages({ es, index, signal })) {
    for (const id of ids) await sink.delete(id);
  }
  await sink.close();
  await es.request("POST", `/${encodeURIComponent(index)}/_refresh`);
  return stats.deleted_document_count;
}
