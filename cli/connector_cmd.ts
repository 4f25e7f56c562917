/**
 * `connectors connector create|list|show|set-config|delete`: manage connector documents
 * without Kibana. Values are checked against the connector type's schema before anything is
 * written, and sensitive values are never printed.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { ConnectorEntry } from "../lib/config/mod.ts";
import {
  accessControlIndexName,
  ensureContentIndex,
  type EnsureIndexOutcome,
} from "../lib/es/content_index.ts";
import { LANGUAGES } from "../lib/es/content_index_settings.ts";
import { log } from "../lib/log/mod.ts";
import { JOB_TYPES } from "../lib/sync/mod.ts";
import {
  type ConnectorDoc,
  ConnectorIndex,
  defaultScheduling,
  ensureProtocolIndices,
  type JobType,
  readFeatures,
  type Scheduling,
  type Stored,
} from "../lib/protocol/mod.ts";
import { CronError, parseCron } from "../lib/schedule/mod.ts";
import {
  type ConfigSchema,
  type ConnectorType,
  fullConfiguration,
  fullField,
  upgradeConfiguration,
} from "../lib/source/mod.ts";
import { type ConnectorApiKey, createConnectorApiKey, invalidateApiKey } from "./api_key.ts";
import { appendConnectorEntry } from "./config_append.ts";
import {
  applyValues,
  configurationStatus,
  parseSetOptions,
  type RawValues,
  readValuesFile,
} from "./config_values.ts";
import { confirm } from "./confirm.ts";
import { connectorType, findConnector, knownConnectorType } from "./connector_lookup.ts";
import { type CommandContext, commandContext, CommandError, describeError } from "./context.ts";
import { indexNameProblem } from "../lib/es/index_name.ts";
import {
  cell,
  type FieldLine,
  jsonOption,
  outputOption,
  printFields,
  printJson,
  short,
  when,
} from "./output.ts";
import { redactConfiguration } from "./redact.ts";
import { printTable } from "./table.ts";

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The `connector` command group. */
export function connectorCommand(): Command {
  const group = new Command("connector").description(
    "create, list, show, configure and delete connectors",
  );

  group.command("create")
    .description("create a connector, its content index and (optionally) its API key")
    .requiredOption("--service-type <type>", "connector type, e.g. mysql")
    .requiredOption("--index-name <name>", "content index the connector writes to")
    .option("--name <name>", "connector name (default: the index name)")
    .option("--language <code>", "language of the content index analyzers, e.g. en, fr")
    .option("--from-file <path>", "JSON or YAML file of configuration field -> value")
    .option("--set <key=value>", "configuration value (repeatable)", collect)
    .option("--create-api-key", "create an API key limited to this connector's indices")
    .option("--update-config", "append the connector to the config file's connectors list")
    .option("-c, --config <path>", "config file", "config.yml")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (options) => {
      const index = options.indexName;
      const problem = indexNameProblem(index);
      if (problem) {
        throw new CommandError(`--index-name "${index}": an index name ${problem}`);
      }
      const type = connectorType(options.serviceType);
      const language = checkLanguage(options.language);
      const values = await givenValues(options);
      const applied = applyValues(fullConfiguration(type.configSchema), {
        values,
        schema: type.configSchema,
        serviceType: type.serviceType,
      });
      const context = await commandContext(options);
      if (options.createApiKey && context.config.elasticsearch.api_key) {
        throw new CommandError(
          "--create-api-key needs elasticsearch.username/password in the config file: " +
            "Elasticsearch does not let an API key create a key with its own privileges",
        );
      }
      if (options.updateConfig) {
        // Refuse a config file we could not edit before anything is created.
        const placeholder = { connector_id: "check", service_type: type.serviceType };
        appendConnectorEntry(await Deno.readTextFile(options.config), {
          entry: placeholder,
          path: options.config,
        });
      }
      const created = await createConnector(context, {
        type,
        index,
        name: options.name,
        language,
        configuration: applied.configuration,
        status: applied.status,
        createApiKey: options.createApiKey === true,
      });
      let configNote: string | undefined;
      if (options.updateConfig) {
        const entry: ConnectorEntry = {
          connector_id: created.connector.id,
          service_type: type.serviceType,
          api_key: created.apiKey?.encoded,
        };
        try {
          const text = await Deno.readTextFile(options.config);
          await Deno.writeTextFile(
            options.config,
            appendConnectorEntry(text, { entry, path: options.config }),
          );
        } catch (error) {
          const key = created.apiKey
            ? `; its API key ${created.apiKey.id} cannot be shown again: invalidate it and ` +
              `create a new one`
            : "";
          throw new CommandError(
            `created connector ${created.connector.id}, but could not add it to ` +
              `${options.config}: ${describeError(error)}${key}`,
          );
        }
        configNote = `added to ${options.config} (connectors list)`;
      }
      const { doc } = created.connector;
      if (options.output === "json") {
        printJson({
          id: created.connector.id,
          index_name: doc.index_name,
          service_type: doc.service_type,
          status: doc.status,
          index: created.index,
          api_key_id: created.apiKey?.id ?? null,
          // Shown once, unless it went into the config file.
          api_key: options.updateConfig ? undefined : created.apiKey?.encoded,
          missing: applied.missing,
        });
        return;
      }
      console.log(`Created connector ${created.connector.id}.`);
      printFields([
        ["  id", created.connector.id],
        ["  service type", doc.service_type],
        ["  index", `${index} (${indexOutcome(created.index)})`],
        ["  status", doc.status],
        ...(created.apiKey ? [["  api key id", created.apiKey.id] as FieldLine] : []),
        ...(configNote ? [["  config", configNote] as FieldLine] : []),
      ]);
      for (const line of applied.missing) console.log(`Still to configure: ${line}`);
      if (created.apiKey && !options.updateConfig) {
        console.log(
          `API key (shown only this once; put it in config.yml as this connector's api_key): ` +
            created.apiKey.encoded,
        );
      }
    });

  group.command("list")
    .description("connectors with their status and last sync (deleted ones left out)")
    .option("-c, --config <path>", "config file", "config.yml")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (options) => {
      const { es } = await commandContext(options);
      const connectors = await Array.fromAsync(new ConnectorIndex(es).all());
      if (options.output === "json") {
        printJson(connectors.map(({ id, doc }) => ({
          id,
          name: doc.name,
          index_name: doc.index_name,
          service_type: doc.service_type,
          status: doc.status,
          last_sync_status: doc.last_sync_status,
          last_synced: doc.last_synced,
          last_seen: doc.last_seen,
        })));
        return;
      }
      printTable(
        ["ID", "INDEX", "SERVICE TYPE", "STATUS", "LAST SYNC", "LAST SEEN"],
        connectors.map(({ id, doc }) => [
          id,
          doc.index_name,
          cell(doc.service_type),
          cell(doc.status),
          cell(doc.last_sync_status),
          when(doc.last_seen),
        ]),
      );
    });

  group.command("show")
    .description("a connector's settings and state (sensitive values hidden)")
    .argument("<id>", "connector id")
    .option("-c, --config <path>", "config file", "config.yml")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (id, options) => {
      const { es } = await commandContext(options);
      const connector = await findConnector(new ConnectorIndex(es), id, { deleted: true });
      const schema = knownConnectorType(connector.doc.service_type)?.configSchema;
      const doc = {
        ...connector.doc,
        configuration: redactConfiguration(connector.doc.configuration, schema),
      };
      if (options.output === "json") {
        printJson({ id: connector.id, ...doc });
        return;
      }
      printFields(connectorFields(connector.id, doc));
    });

  group.command("set-config")
    .description("set configuration values and schedules of a connector")
    .argument("<id>", "connector id")
    .option("--from-file <path>", "JSON or YAML file of configuration field -> value")
    .option("--set <key=value>", "configuration value (repeatable)", collect)
    .option(
      "--schedule <type=cron>",
      "Quartz cron of a job type, e.g. full='0 0 3 * * ?' (repeatable)",
      collect,
    )
    .option(
      "--enable <type>",
      "enable the schedule of a job type (repeatable)",
      collect,
    )
    .option(
      "--disable <type>",
      "disable the schedule of a job type (repeatable)",
      collect,
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .action(async (id, options) => {
      const values = await givenValues(options);
      const schedules = scheduleChanges(options);
      if (Object.keys(values).length === 0 && schedules.length === 0) {
        throw new CommandError(
          "nothing to change: give --set key=value, --from-file, --schedule, --enable or --disable",
        );
      }
      const { es } = await commandContext(options);
      const connectors = new ConnectorIndex(es);
      const found = await findConnector(connectors, id);
      const type = typeOf(found);
      let missing: string[] = [];
      const written = await connectors.update(id, (current) => {
        const fields: Partial<ConnectorDoc> = { updated_at: new Date().toISOString() };
        if (Object.keys(values).length > 0) {
          const stored = upgradeConfiguration(current.doc.configuration, type.configSchema);
          const applied = applyValues(stored.configuration, {
            values,
            schema: type.configSchema,
            serviceType: type.serviceType,
          });
          fields.configuration = applied.configuration;
          fields.status = applied.status;
          missing = applied.missing;
        }
        if (schedules.length > 0) fields.scheduling = applySchedules(current, schedules);
        return fields;
      });
      console.log(`Updated connector ${id}: status ${written?.doc.status ?? found.doc.status}.`);
      for (const line of missing) console.log(`Still to configure: ${line}`);
      if (schedules.length > 0 && written) {
        for (const jobType of JOB_TYPES) {
          console.log(`  ${jobType} schedule: ${scheduleText(written.doc.scheduling?.[jobType])}`);
        }
      }
    });

  group.command("delete")
    .description("delete a connector (soft by default: history kept, no longer served)")
    .argument("<id>", "connector id")
    .option("--hard", "remove the connector document and all its sync jobs")
    .option("--delete-index", "also delete its content index and access-control index")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (id, options) => {
      const { es } = await commandContext(options);
      const connectors = new ConnectorIndex(es);
      const connector = await findConnector(connectors, id, { deleted: options.hard === true });
      const index = connector.doc.index_name;
      const what = [
        options.hard ? `connector ${id} and its sync jobs` : `connector ${id}`,
        options.deleteIndex ? `index ${index} with its documents` : undefined,
      ].filter(Boolean).join(" and ");
      confirm(`Delete ${what}?`, options);
      await connectors.delete(id, { hard: options.hard === true });
      const deletedIndices: string[] = [];
      if (options.deleteIndex) {
        for (const name of [index, accessControlIndexName(index)]) {
          const { status } = await es.request("DELETE", `/${encodeURIComponent(name)}`, {
            allow: [404],
          });
          if (status !== 404) deletedIndices.push(name);
        }
      }
      console.log(
        options.hard
          ? `Deleted connector ${id} and its sync jobs.`
          : `Deleted connector ${id} (soft: kept with deleted: true; --hard removes it).`,
      );
      if (options.deleteIndex) {
        console.log(
          deletedIndices.length > 0
            ? `Deleted index ${deletedIndices.join(" and ")}.`
            : `Index ${index} did not exist.`,
        );
      }
    });

  return group;
}

/** `--from-file` values overridden by `--set` values. */
async function givenValues(options: { fromFile?: string; set?: string[] }): Promise<RawValues> {
  const fromFile = options.fromFile ? await readValuesFile(options.fromFile) : {};
  return { ...fromFile, ...parseSetOptions(options.set ?? []) };
}

function checkLanguage(language: string | undefined): string | null {
  if (language === undefined || language.trim() === "") return null;
  const code = language.trim().toLowerCase();
  if (code in LANGUAGES) return code;
  throw new CommandError(
    `--language "${language}" has no search analyzers; use one of: ${
      Object.keys(LANGUAGES).join(", ")
    }`,
  );
}

interface CreatedConnector {
  connector: Stored<ConnectorDoc>;
  index: EnsureIndexOutcome;
  apiKey?: ConnectorApiKey;
}

/**
 * Protocol indices, content index, API key, then the document; an API key made for a
 * connector that then failed to be written is invalidated again.
 */
async function createConnector(
  context: CommandContext,
  options: {
    type: ConnectorType;
    index: string;
    name?: string;
    language: string | null;
    configuration: Record<string, unknown>;
    status: "configured" | "needs_configuration";
    createApiKey: boolean;
  },
): Promise<CreatedConnector> {
  const { es } = context;
  const { type, index } = options;
  await ensureProtocolIndices(es);
  const connectors = new ConnectorIndex(es);
  const owners = await connectors.byIndexName(index);
  if (owners.length > 0) {
    throw new CommandError(
      `index ${index} already belongs to connector ${owners[0].id}; choose another --index-name ` +
        `or delete that connector first`,
    );
  }
  const indexOutcome = await ensureContentIndex({
    es,
    index,
    language: options.language,
    logger: log.child({ index_name: index }),
  });
  const apiKey = options.createApiKey ? await createConnectorApiKey(es, index) : undefined;
  try {
    let connector = await connectors.create({
      indexName: index,
      serviceType: type.serviceType,
      name: options.name,
      language: options.language,
      configuration: options.configuration,
      features: type.features,
      apiKeyId: apiKey?.id ?? null,
    });
    if (connector.doc.status !== options.status) {
      connector = await connectors.update(connector.id, () => ({ status: options.status })) ??
        connector;
    }
    return { connector, index: indexOutcome, apiKey };
  } catch (error) {
    if (apiKey) await invalidateApiKey(es, apiKey.id).catch(() => {});
    throw error;
  }
}

function indexOutcome(outcome: EnsureIndexOutcome): string {
  switch (outcome) {
    case "exists":
      return "existing index";
    case "created":
      return "created";
    case "created_without_analyzers":
      return "created without language analyzers";
  }
}

/** The connector's type; throws when this build does not know it. */
function typeOf(connector: Stored<ConnectorDoc>): ConnectorType {
  const type = knownConnectorType(connector.doc.service_type);
  if (type) return type;
  return connectorType(connector.doc.service_type ?? "(none)");
}

type ScheduleChange =
  | { jobType: JobType; interval: string }
  | { jobType: JobType; enabled: boolean };

/** `--schedule`, `--enable` and `--disable`, checked (job types, cron syntax). */
function scheduleChanges(
  options: { schedule?: string[]; enable?: string[]; disable?: string[] },
): ScheduleChange[] {
  const changes: ScheduleChange[] = [];
  for (const item of options.schedule ?? []) {
    const at = item.indexOf("=");
    if (at <= 0) {
      throw new CommandError(
        `--schedule ${JSON.stringify(item)}: expected <job type>=<Quartz cron>, e.g. ` +
          `full='0 0 3 * * ?'`,
      );
    }
    const jobType = checkJobType(item.slice(0, at).trim(), "--schedule");
    const interval = item.slice(at + 1).trim();
    try {
      parseCron(interval);
    } catch (error) {
      if (error instanceof CronError) {
        throw new CommandError(`--schedule ${jobType}: ${error.message}`);
      }
      throw error;
    }
    changes.push({ jobType, interval });
  }
  for (const name of options.enable ?? []) {
    changes.push({ jobType: checkJobType(name, "--enable"), enabled: true });
  }
  for (const name of options.disable ?? []) {
    changes.push({ jobType: checkJobType(name, "--disable"), enabled: false });
  }
  return changes;
}

function checkJobType(name: string, option: string): JobType {
  if ((JOB_TYPES as readonly string[]).includes(name)) return name as JobType;
  throw new CommandError(`${option} "${name}": job type must be one of ${JOB_TYPES.join(", ")}`);
}

/** The connector's scheduling with the changes applied; refuses types it does not support. */
function applySchedules(connector: Stored<ConnectorDoc>, changes: ScheduleChange[]): Scheduling {
  const scheduling = { ...defaultScheduling(), ...structuredClone(connector.doc.scheduling ?? {}) };
  const features = readFeatures(connector.doc.features);
  for (const change of changes) {
    if ("enabled" in change && change.enabled) {
      const supported = change.jobType === "full" ||
        (change.jobType === "incremental" && features.incrementalSync) ||
        (change.jobType === "access_control" && features.documentLevelSecurity);
      if (!supported) {
        throw new CommandError(
          `--enable ${change.jobType}: connector ${connector.id} (${connector.doc.service_type}) ` +
            `does not support ${change.jobType.replace("_", " ")} syncs (see its features)`,
        );
      }
    }
    const current = scheduling[change.jobType] ?? defaultScheduling()[change.jobType];
    scheduling[change.jobType] = "interval" in change
      ? { ...current, interval: change.interval }
      : { ...current, enabled: change.enabled };
  }
  return scheduling;
}

function scheduleText(setting: { enabled?: boolean; interval?: string } | undefined): string {
  if (!setting) return "-";
  return `${setting.enabled ? "enabled" : "disabled"} (${setting.interval ?? "-"})`;
}

/** The lines `connector show` prints. */
function connectorFields(id: string, doc: ConnectorDoc): FieldLine[] {
  const schema = knownConnectorType(doc.service_type)?.configSchema;
  const features = readFeatures(doc.features);
  const lines: FieldLine[] = [
    ["id", id],
    ["name", doc.name],
    ["service type", doc.service_type],
    ["index", doc.index_name],
    ["language", doc.language],
    ["status", doc.status],
    ["error", doc.error],
    ["last seen", doc.last_seen],
    ["api key id", doc.api_key_id],
  ];
  if (doc.deleted) lines.push(["deleted", true]);
  if (schema) {
    const { missing } = configurationStatus(doc.configuration, schema);
    for (const problem of missing) lines.push(["to configure", problem]);
  }
  lines.push(["configuration"]);
  lines.push(...configurationLines(doc.configuration, schema));
  lines.push(["scheduling"]);
  for (const jobType of JOB_TYPES) {
    lines.push([`  ${jobType}`, scheduleText(doc.scheduling?.[jobType])]);
  }
  lines.push(
    ["features"],
    ["  basic sync rules", features.basicRules],
    ["  advanced sync rules", features.advancedRules],
    ["  incremental sync", features.incrementalSync],
    ["  document level security", features.documentLevelSecurity],
    ["last sync"],
    ["  status", doc.last_sync_status],
    ["  error", doc.last_sync_error],
    ["  synced at", doc.last_synced],
    ["  indexed documents", doc.last_indexed_document_count],
    ["  deleted documents", doc.last_deleted_document_count],
    ["  access control status", doc.last_access_control_sync_status],
    ["  access control error", doc.last_access_control_sync_error],
    ["pipeline", doc.pipeline?.name],
  );
  return lines;
}

/** `  key (Label): value` lines in the schema's order, unknown keys last. */
function configurationLines(
  configuration: Record<string, unknown>,
  schema: ConfigSchema | undefined,
): FieldLine[] {
  const entries = Object.entries(configuration ?? {}).map(([key, field]) => {
    const stored = typeof field === "object" && field !== null && !Array.isArray(field)
      ? field as { label?: string; value?: unknown; order?: number }
      : { value: field };
    const spec = schema?.[key];
    const label = spec ? fullField(key, spec).label : stored.label;
    const order = spec?.order ?? stored.order ?? Number.MAX_SAFE_INTEGER;
    return { key, label, value: stored.value, order };
  });
  entries.sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  return entries.map(({ key, label, value }) => [
    `  ${key}${label ? ` (${label})` : ""}`,
    short(cell(value), 100),
  ]);
}
