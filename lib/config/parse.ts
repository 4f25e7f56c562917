/** Reads `config.yml` into a typed, defaulted `Config`, collecting every problem on the way. */
import { closestKey } from "./did_you_mean.ts";
import { type Env, interpolateEnv } from "./interpolate.ts";
import { ConfigError, type ConfigProblem, showValue } from "./problem.ts";
import { coerce, expectation } from "./coerce.ts";
import {
  type AnySectionSpec,
  type AnySpec,
  configSchema as typedConfigSchema,
  connectorEntrySchema as typedConnectorEntrySchema,
  defaults,
} from "./schema.ts";
import type { Config, ConnectorEntry } from "./types.ts";
import { expandDottedKeys, parseYamlTree, type Pos, type TreeNode } from "./yaml_tree.ts";

/** Options of `parseConfig` and `checkConfig`. */
export interface ParseOptions {
  /** File name used in messages; default `config.yml`. */
  source?: string;
  /** Variables for `${VAR}`; default the process environment. */
  env?: Env;
  /** Check that files named in the config (`elasticsearch.ca_certs`) exist; default false. */
  checkFiles?: boolean;
  /**
   * Connector types this build serves: `connectors[].service_type` and
   * `service.service_types` must be one of them. Unchecked when absent.
   */
  serviceTypes?: readonly string[];
}

/** A usable config plus warnings worth showing (deprecated keys, duplicate connectors, ...). */
export interface LoadedConfig {
  config: Config;
  warnings: ConfigProblem[];
  /** File name as given. */
  source: string;
}

/** The outcome of checking a config: `config` is set exactly when `problems` is empty. */
export interface ConfigCheck {
  config?: Config;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

const PLACEHOLDER = "changeme";
const configSchema: AnySectionSpec = typedConfigSchema;
const connectorEntrySchema: AnySectionSpec = typedConnectorEntrySchema;

/**
 * Checks config text without throwing.
 *
 * @example checkConfig("elasticsearch.api_key: abc\nconnectors: [{connector_id: c1}]", { env: {} })
 */
export function checkConfig(text: string, options: ParseOptions = {}): ConfigCheck {
  const source = options.source ?? "config.yml";
  const tree = parseYamlTree(text, source);
  if (tree.problems.length > 0 || tree.root === undefined) {
    return { problems: tree.problems, warnings: tree.warnings };
  }
  if (tree.root.kind === "scalar" && tree.root.value === null) {
    const message = "the file is empty: copy config.example.yml to it and set " +
      "elasticsearch.host, the credentials and the connectors";
    return { problems: [{ source, path: "", message }], warnings: tree.warnings };
  }
  const reader = new Reader(source, options.env ?? Deno.env.toObject());
  reader.warnings.push(...tree.warnings);
  const config = reader.readConfig(tree.root);
  if (options.serviceTypes) checkServiceTypes(config, reader, options.serviceTypes);
  config.connectors = reader.dropDuplicateConnectors(config.connectors);
  checkPlaceholders(config, reader);
  checkTls(config, reader, options.checkFiles ?? false);
  const { problems, warnings } = reader;
  const byPosition = (a: ConfigProblem, b: ConfigProblem) =>
    (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
  problems.sort(byPosition);
  warnings.sort(byPosition);
  return problems.length > 0 ? { problems, warnings } : { config, problems, warnings };
}

/** Parses config text; throws `ConfigError` listing every problem. */
export function parseConfig(text: string, options: ParseOptions = {}): LoadedConfig {
  const { config, problems, warnings } = checkConfig(text, options);
  if (config === undefined) throw new ConfigError(problems);
  return { config, warnings, source: options.source ?? "config.yml" };
}

/**
 * Reads and parses a config file; throws `ConfigError` (also for a missing file), never anything else.
 *
 * @example const { config, warnings } = await loadConfig("config.yml");
 */
export async function loadConfig(
  path: string,
  options: Pick<ParseOptions, "env" | "serviceTypes"> = {},
): Promise<LoadedConfig> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(path));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "file not found; copy config.example.yml to it or pass -c <path>"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied reading the file"
      : error instanceof TypeError
      ? "the file is not UTF-8 text; save it as UTF-8 (config.yml is YAML text)"
      : `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError([{ source: path, path: "", message: reason }]);
  }
  return parseConfig(text, { ...options, source: path, checkFiles: true });
}

/**
 * Throws `ConfigError` unless the config names something to serve: a `connectors` entry or
 * `service.service_types`. The daemon needs this; CLI commands such as `connector create` do not.
 */
export function requireConnectors(config: Config, options: { source?: string } = {}): void {
  if (config.connectors.length > 0 || config.service.service_types.length > 0) return;
  throw new ConfigError([{
    source: options.source ?? "config.yml",
    path: "connectors",
    message:
      "connectors is empty and so is service.service_types: add a connectors entry (connector_id, service_type) or list service types to serve",
  }]);
}

/** Walks the tree against the schema; remembers where each value was written. */
class Reader {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  /** Position of each value (or key, for sections) that was in the file, by path. */
  readonly positions = new Map<string, Pos>();
  /** Where each `connectors` entry starts, and its path (`connectors[2]`). */
  readonly entries = new Map<ConnectorEntry, { path: string; pos: Pos }>();

  constructor(readonly source: string, readonly env: Env) {}

  problem(path: string, pos: Pos | undefined, message: string): void {
    this.problems.push({ source: this.source, path, ...pos, message });
  }

  warn(path: string, pos: Pos | undefined, message: string): void {
    this.warnings.push({ source: this.source, path, ...pos, message });
  }

  readConfig(root: TreeNode): Config {
    if (root.kind === "scalar" && root.value === null) {
      root = { kind: "map", pos: root.pos, entries: [] };
    }
    if (root.kind !== "map") {
      this.problem(
        "",
        root.pos,
        "the file must be a YAML mapping (elasticsearch:, service:, connectors:)",
      );
      return defaults(configSchema) as Config;
    }
    const entries = expandDottedKeys(root);
    const legacyId = entries.get("connector_id");
    const legacyType = entries.get("service_type");
    entries.delete("connector_id");
    entries.delete("service_type");
    const config = this.readSectionEntries(configSchema, entries, "") as unknown as Config;

    if (legacyId !== undefined) {
      const entry = this.readSectionEntries(
        connectorEntrySchema,
        new Map([
          ["connector_id", legacyId],
          ...(legacyType ? [["service_type", legacyType] as const] : []),
        ]),
        "",
      ) as unknown as ConnectorEntry;
      if (entry.connector_id !== undefined) {
        this.checkConnectorEntry(entry, "", legacyId.keyPos);
        config.connectors.push(entry);
      }
      this.warn(
        "connector_id",
        legacyId.keyPos,
        "connector_id and service_type at the top level are deprecated: move them into a connectors entry",
      );
    } else if (legacyType !== undefined) {
      this.problem(
        "service_type",
        legacyType.keyPos,
        "service_type at the top level needs connector_id; use connectors: [{connector_id, service_type}] or service.service_types",
      );
    }
    return config;
  }

  readSectionEntries(
    spec: AnySectionSpec,
    entries: Map<string, { key: string; keyPos: Pos; value: TreeNode }>,
    path: string,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = spec.keys;
    for (const [key, entry] of entries) {
      const keyPath = join(path, key);
      const keySpec = Object.hasOwn(keys, key) ? keys[key] : undefined;
      if (keySpec !== undefined) {
        this.positions.set(keyPath, isNull(entry.value) ? entry.keyPos : entry.value.pos);
        const value = this.readValue(keySpec, entry.value, keyPath);
        if (value !== undefined) out[key] = value;
      } else if (spec.unused && Object.hasOwn(spec.unused, key)) {
        this.problem(
          keyPath,
          entry.keyPos,
          `${keyPath} is not used by this service: ${spec.unused[key]}; remove it`,
        );
      } else {
        this.problem(
          keyPath,
          entry.keyPos,
          `${keyPath} is not a known key${suggest(key, keys, path)}`,
        );
      }
    }
    // Schema order, so a printed config reads like config.example.yml.
    const ordered: Record<string, unknown> = {};
    for (const [key, keySpec] of Object.entries(keys)) {
      const value = key in out ? out[key] : defaults(keySpec);
      if (value !== undefined) ordered[key] = value;
    }
    return ordered;
  }

  readSection(spec: AnySectionSpec, node: TreeNode, path: string): Record<string, unknown> {
    if (isNull(node)) return this.readSectionEntries(spec, new Map(), path);
    if (node.kind !== "map") {
      this.problem(
        path,
        node.pos,
        `${path} must be a mapping of keys, got ${this.describe(node, path)}`,
      );
      return defaults(spec) as Record<string, unknown>;
    }
    return this.readSectionEntries(spec, expandDottedKeys(node), path);
  }

  /** The value for a key, or undefined to use the default (absent/empty value, or a problem already reported). */
  readValue(spec: AnySpec, node: TreeNode, path: string): unknown {
    switch (spec.kind) {
      case "section":
        return this.readSection(spec, node, path);
      case "connectors":
        return this.readConnectors(node, path);
      case "strings":
        return this.readStrings(node, path);
      case "string_map":
        return this.readStringMap(node, path);
    }
    if (isNull(node)) return undefined;
    if (node.kind !== "scalar") {
      this.problem(
        path,
        node.pos,
        `${path} ${expectation(spec)}, got ${this.describe(node, path)}`,
      );
      return undefined;
    }
    const raw = spec.kind === "string" ? this.text(node, path) : this.scalar(node, path);
    if (raw === undefined) return undefined;
    const value = coerce(spec, raw);
    if (value === undefined) {
      this.problem(path, node.pos, `${path} ${expectation(spec)}, got ${showValue(raw, path)}`);
      return undefined;
    }
    const complaint = spec.kind === "string" ? spec.check?.(value as string) : undefined;
    if (complaint !== undefined) {
      this.problem(path, node.pos, `${path} ${complaint}`);
      return undefined;
    }
    return value;
  }

  /** A scalar with `${VAR}` resolved; non-strings keep their YAML type but remember their text. */
  scalar(node: TreeNode, path: string): string | number | boolean | undefined {
    if (node.kind !== "scalar" || node.value === null) return undefined;
    if (typeof node.value !== "string") return node.value;
    const result = interpolateEnv(node.value, this.env);
    if (result.missing !== undefined) {
      const names = result.missing.map((name) => "${" + name + "}").join(", ");
      this.problem(
        path,
        node.pos,
        `${path} uses ${names}, which is not set: set the variable or give a default like \${${
          result.missing[0]
        }:-value}`,
      );
      return undefined;
    }
    return result.value;
  }

  /** A string from a scalar: numbers and booleans keep the text as written (`0123` stays "0123"). */
  text(node: TreeNode, path: string): string | undefined {
    if (node.kind === "scalar" && typeof node.value !== "string" && node.value !== null) {
      return node.text;
    }
    const value = this.scalar(node, path);
    return value === undefined ? undefined : String(value);
  }

  readStrings(node: TreeNode, path: string): string[] | undefined {
    if (isNull(node)) return undefined;
    if (node.kind === "scalar") {
      const value = this.text(node, path);
      return value?.split(",").map((s) => s.trim()).filter((s) => s !== "");
    }
    if (node.kind === "map") {
      this.problem(path, node.pos, `${path} must be a list of strings, got a mapping`);
      return undefined;
    }
    const out: string[] = [];
    node.items.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (item.kind !== "scalar" || item.value === null) {
        this.problem(
          itemPath,
          item.pos,
          `${itemPath} must be a string, got ${this.describe(item, itemPath)}`,
        );
        return;
      }
      const value = this.text(item, itemPath);
      if (value !== undefined) out.push(value);
    });
    return out;
  }

  readStringMap(node: TreeNode, path: string): Record<string, string> | undefined {
    if (isNull(node)) return undefined;
    if (node.kind !== "map") {
      this.problem(
        path,
        node.pos,
        `${path} must be a mapping of names to strings, got ${this.describe(node, path)}`,
      );
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const entry of node.entries) {
      const entryPath = `${path}.${entry.key}`;
      if (entry.value.kind !== "scalar" || entry.value.value === null) {
        this.problem(
          entryPath,
          entry.keyPos,
          `${entryPath} must be a string, got ${this.describe(entry.value, entryPath)}`,
        );
        continue;
      }
      const value = this.text(entry.value, entryPath);
      if (value !== undefined) out[entry.key] = value;
    }
    return out;
  }

  readConnectors(node: TreeNode, path: string): ConnectorEntry[] | undefined {
    if (isNull(node)) return undefined;
    if (node.kind !== "list") {
      this.problem(
        path,
        node.pos,
        `${path} must be a list of {connector_id, service_type, api_key}, got ${
          this.describe(node, path)
        }`,
      );
      return undefined;
    }
    const out: ConnectorEntry[] = [];
    node.items.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (item.kind !== "map") {
        this.problem(
          itemPath,
          item.pos,
          `${itemPath} must be a mapping with connector_id (and service_type, api_key), got ${
            this.describe(item, itemPath)
          }`,
        );
        return;
      }
      const entry = this.readSection(
        connectorEntrySchema,
        item,
        itemPath,
      ) as unknown as ConnectorEntry;
      if (entry.connector_id === undefined) {
        const idPath = `${itemPath}.connector_id`;
        // An unset ${VAR} or a wrong type was reported already; otherwise the id is missing or empty.
        if (!this.problems.some((p) => p.path === idPath)) {
          this.problem(
            idPath,
            this.positions.get(idPath) ?? item.pos,
            `${itemPath} needs a connector_id`,
          );
        }
        return;
      }
      this.checkConnectorEntry(entry, itemPath, item.pos);
      out.push(entry);
    });
    return out;
  }

  checkConnectorEntry(entry: ConnectorEntry, path: string, pos: Pos): void {
    for (const key of ["connector_id", "api_key"] as const) {
      if (entry[key] === PLACEHOLDER) {
        const keyPath = join(path, key);
        this.problem(
          keyPath,
          this.positions.get(keyPath) ?? pos,
          `${keyPath} is the placeholder "${PLACEHOLDER}": set the real value`,
        );
      }
    }
    this.entries.set(entry, { path, pos });
  }

  /**
   * One entry per connector_id, the last winning as in the reference: identical repeats are a
   * warning, repeats with another service_type or api_key a problem (which one was meant?).
   */
  dropDuplicateConnectors(connectors: ConnectorEntry[]): ConnectorEntry[] {
    const byId = new Map<string, ConnectorEntry>();
    for (const entry of connectors) {
      const earlier = byId.get(entry.connector_id);
      if (earlier !== undefined) {
        const { path, pos } = this.entries.get(entry) ?? { path: "connectors", pos: undefined };
        const first = this.entries.get(earlier)?.pos?.line;
        const id = JSON.stringify(entry.connector_id);
        const where = first === undefined ? "" : ` (line ${first})`;
        if (
          earlier.service_type !== entry.service_type || earlier.api_key !== entry.api_key
        ) {
          const idPath = path === "" ? "connector_id" : `${path}.connector_id`;
          this.problem(
            idPath,
            this.positions.get(idPath) ?? pos,
            `${idPath} ${id} is listed again${where} with another service_type or ` +
              `api_key: keep one entry per connector`,
          );
        } else {
          this.warn(
            "connectors",
            pos,
            `connector_id ${id} is listed more than once${where}; the last entry wins`,
          );
        }
        byId.delete(entry.connector_id);
      }
      byId.set(entry.connector_id, entry);
    }
    return [...byId.values()];
  }

  describe(node: TreeNode, path: string): string {
    if (node.kind === "list") return "a list";
    if (node.kind === "map") return "a mapping";
    if (node.value === null) return "nothing";
    return showValue(node.value, path);
  }
}

/** `connectors[].service_type` and `service.service_types` name types this build serves. */
function checkServiceTypes(config: Config, reader: Reader, known: readonly string[]): void {
  const complain = (path: string, type: string) => {
    const near = closestKey(type, [...known]);
    reader.problem(
      path,
      reader.positions.get(path),
      `${path} ${JSON.stringify(type)} is not a connector type of this build` +
        (near === undefined ? "" : `; did you mean "${near}"?`) +
        ` (known: ${[...known].sort().join(", ")})`,
    );
  };
  for (const entry of config.connectors) {
    const type = entry.service_type;
    if (type === undefined || known.includes(type)) continue;
    const { path } = reader.entries.get(entry) ?? { path: "" };
    complain(path === "" ? "service_type" : `${path}.service_type`, type);
  }
  for (const type of config.service.service_types) {
    if (!known.includes(type)) complain("service.service_types", type);
  }
}

function checkPlaceholders(config: Config, reader: Reader): void {
  const es = config.elasticsearch;
  // Already reported: a wrong type, an unset ${VAR} or a file that is not a mapping.
  const reported = (path: string) => reader.problems.some((problem) => problem.path === path);
  if (reported("") || reported("elasticsearch")) return;
  if (reported("elasticsearch.api_key") || reported("elasticsearch.password")) return;
  if (es.api_key === PLACEHOLDER) {
    reader.problem(
      "elasticsearch.api_key",
      reader.positions.get("elasticsearch.api_key"),
      `elasticsearch.api_key is the placeholder "${PLACEHOLDER}": set a real API key`,
    );
  } else if (
    es.api_key === undefined && es.password === PLACEHOLDER &&
    !reader.positions.has("elasticsearch.password")
  ) {
    reader.problem(
      "elasticsearch",
      reader.positions.get("elasticsearch"),
      "elasticsearch has no credentials: set elasticsearch.api_key, or elasticsearch.username " +
        "and elasticsearch.password (e.g. password: ${ELASTIC_PASSWORD})",
    );
  } else if (es.api_key === undefined && es.password === PLACEHOLDER) {
    reader.problem(
      "elasticsearch.password",
      reader.positions.get("elasticsearch.password"),
      `elasticsearch.password is the placeholder "${PLACEHOLDER}": set the real password (e.g. password: \${ELASTIC_PASSWORD}) or an elasticsearch.api_key`,
    );
  }
  const basicAuthWritten = reader.positions.has("elasticsearch.username") ||
    reader.positions.has("elasticsearch.password");
  const basicAuthDefault = es.username === "elastic" && es.password === PLACEHOLDER;
  if (es.api_key !== undefined && basicAuthWritten && !basicAuthDefault) {
    reader.warn(
      "elasticsearch.api_key",
      reader.positions.get("elasticsearch.api_key"),
      "elasticsearch.api_key is set, so elasticsearch.username and password are not used",
    );
  }
}

function checkTls(config: Config, reader: Reader, checkFiles: boolean): void {
  const es = config.elasticsearch;
  const https = es.host.startsWith("https:");
  if (es.ca_certs !== undefined && checkFiles) {
    try {
      if (!Deno.statSync(es.ca_certs).isFile) throw new Deno.errors.NotFound();
    } catch {
      reader.problem(
        "elasticsearch.ca_certs",
        reader.positions.get("elasticsearch.ca_certs"),
        `elasticsearch.ca_certs file "${es.ca_certs}" is not a readable file (relative paths start at the working directory)`,
      );
    }
  }
  if (!https && es.ca_certs !== undefined) {
    reader.warn(
      "elasticsearch.ca_certs",
      reader.positions.get("elasticsearch.ca_certs"),
      "elasticsearch.ca_certs is ignored because elasticsearch.host uses http://",
    );
  }
  if (https && !es.verify_certs) {
    reader.warn(
      "elasticsearch.verify_certs",
      reader.positions.get("elasticsearch.verify_certs"),
      "elasticsearch.verify_certs is false: the server certificate is not checked, use ca_certs instead",
    );
  }
}

/** "; did you mean ..." for a misspelt key: a sibling, else a key of the same name elsewhere. */
function suggest(key: string, siblings: Record<string, AnySpec>, path: string): string {
  const near = closestKey(key, Object.keys(siblings));
  if (near !== undefined) return `; did you mean "${near}"?`;
  const elsewhere = allPaths(configSchema, "").filter((p) =>
    p.endsWith(`.${key}`) && p !== join(path, key)
  );
  if (elsewhere.length > 0) return `; did you mean "${elsewhere[0]}"?`;
  return `; remove it (known keys${path === "" ? "" : ` of ${path}`}: ` +
    `${Object.keys(siblings).join(", ")})`;
}

function allPaths(spec: AnySectionSpec, path: string): string[] {
  return Object.entries(spec.keys).flatMap(([key, keySpec]) =>
    keySpec.kind === "section"
      ? [join(path, key), ...allPaths(keySpec, join(path, key))]
      : [join(path, key)]
  );
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function isNull(node: TreeNode): boolean {
  return node.kind === "scalar" && node.value === null;
}
