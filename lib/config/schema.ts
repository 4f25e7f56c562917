/** The one description of every `config.yml` key: type, bounds, default, and keys we refuse on purpose. */
import type { Config, ConnectorEntry } from "./types.ts";

/** A string; `default` absent means the key is optional. Secrets are found by name (`isSecretPath`). */
export interface StringSpec {
  kind: "string";
  default?: string;
  /** Extra check on the final value; returns the problem text (after "<path> ") or undefined. */
  check?: (value: string) => string | undefined;
}
/** An integer within bounds (`max` inclusive, optional). */
export interface IntegerSpec {
  kind: "integer";
  default: number;
  min: number;
  max?: number;
}
/** A number, inclusive `min`/`max` or exclusive `above`. */
export interface NumberSpec {
  kind: "number";
  default: number;
  min?: number;
  max?: number;
  above?: number;
}
/** A boolean; strings true/false/yes/no/1/0 are accepted. */
export interface BooleanSpec {
  kind: "boolean";
  default: boolean;
}
/** One of fixed values, matched case-insensitively and stored as written here. */
export interface EnumSpec {
  kind: "enum";
  default: string;
  values: readonly string[];
}
/** A list of strings; a single comma-separated string is accepted too (handy with `${ENV}`). */
export interface StringListSpec {
  kind: "strings";
  default: string[];
}
/** A map of string to string (HTTP headers); names are kept as written. */
export interface StringMapSpec {
  kind: "string_map";
  default: Record<string, string>;
}
/** The `connectors` list. */
export interface ConnectorsSpec {
  kind: "connectors";
}

type FieldSpec<V> = [V] extends [boolean] ? BooleanSpec
  : [V] extends [number] ? IntegerSpec | NumberSpec
  : [V] extends [ConnectorEntry[]] ? ConnectorsSpec
  : [V] extends [string[]] ? StringListSpec
  : [V] extends [string] ? StringSpec | EnumSpec
  : [V] extends [string | undefined] ? StringSpec
  : [V] extends [Record<string, string>] ? StringMapSpec
  : [V] extends [object] ? SectionSpec<V>
  : never;

/** A mapping whose keys are all described; `unused` lists reference keys we refuse, with the reason. */
export interface SectionSpec<T> {
  kind: "section";
  keys: { [K in keyof T]-?: FieldSpec<T[K]> };
  unused?: Record<string, string>;
}

/** A section of unknown shape, as the reader walks it. */
export interface AnySectionSpec {
  kind: "section";
  keys: Record<string, AnySpec>;
  unused?: Record<string, string>;
}

/** Any spec a key can have. */
export type AnySpec =
  | StringSpec
  | IntegerSpec
  | NumberSpec
  | BooleanSpec
  | EnumSpec
  | StringListSpec
  | StringMapSpec
  | ConnectorsSpec
  | AnySectionSpec;

const int = (value: number, min: number): IntegerSpec => ({ kind: "integer", default: value, min });
const num = (value: number, bounds: Omit<NumberSpec, "kind" | "default">): NumberSpec => ({
  kind: "number",
  default: value,
  ...bounds,
});
const bool = (value: boolean): BooleanSpec => ({ kind: "boolean", default: value });
const str = (value?: string, more: Omit<StringSpec, "kind" | "default"> = {}): StringSpec => ({
  kind: "string",
  default: value,
  ...more,
});
/** Longest wait a timer can hold: 2^31-1 ms; longer ones would fire at once (a busy loop). */
const MAX_SECONDS = 2_147_483;
const seconds = (value: number): NumberSpec => num(value, { above: 0, max: MAX_SECONDS });
const secondsOrZero = (value: number): NumberSpec => num(value, { min: 0, max: MAX_SECONDS });

function checkHost(value: string): string | undefined {
  // Credentials in the URL would be printed wherever the host is named: refuse, never echo them.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) {
    return "must not hold credentials (user:password@); set elasticsearch.username and " +
      "password, or api_key, instead";
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be a URL like https://localhost:9200, got "${value}"`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `must start with http:// or https://, got "${value}"`;
  }
  return undefined;
}

/** A host name or IP address to listen on: no scheme, port or path. */
function checkListenHost(value: string): string | undefined {
  if (/^[A-Za-z0-9._-]+$/.test(value) || /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/.test(value)) {
    return undefined;
  }
  return `must be a host name or IP address to listen on, like 127.0.0.1 or 0.0.0.0 ` +
    `(no scheme, port or brackets), got "${value}"`;
}

const noQueue =
  "memory is bounded by chunk_max_mem_size x (max_concurrency + 1); there is no separate queue";

/** The schema of `config.yml`, checked against the `Config` type at compile time. */
export const configSchema: SectionSpec<Config> = {
  kind: "section",
  keys: {
    elasticsearch: {
      kind: "section",
      keys: {
        host: str("http://localhost:9200", { check: checkHost }),
        username: str("elastic"),
        password: str("changeme"),
        api_key: str(),
        ca_certs: str(),
        verify_certs: bool(true),
        request_timeout: seconds(240),
        max_retries: int(5, 0),
        retry_interval: secondsOrZero(2),
        retry_on_timeout: bool(true),
        headers: { kind: "string_map", default: {} },
        max_wait_duration: secondsOrZero(240),
        initial_backoff_duration: seconds(1),
        backoff_multiplier: num(2, { min: 1 }),
        bulk: {
          kind: "section",
          keys: {
            chunk_size: int(500, 1),
            chunk_max_mem_size: num(5, { above: 0 }),
            max_concurrency: int(4, 1),
            max_text_document_size: num(3, { min: 0 }),
            concurrent_downloads: int(10, 1),
            max_retries: int(5, 0),
            retry_interval: secondsOrZero(2),
            enable_operations_logging: bool(false),
            error_monitor: {
              kind: "section",
              keys: {
                enabled: bool(true),
                max_total_errors: int(1000, 0),
                max_consecutive_errors: int(10, 0),
                max_error_rate: num(0.15, { min: 0, max: 1 }),
                error_window_size: int(100, 1),
                error_queue_size: int(10, 0),
              },
            },
          },
          unused: {
            queue_max_size: noQueue,
            queue_max_mem_size: noQueue,
            queue_refresh_interval: noQueue,
            queue_refresh_timeout: noQueue,
            display_every: "progress is logged every 10 s",
          },
        },
      },
      unused: {
        ssl: "TLS follows the scheme of elasticsearch.host (https:// means TLS)",
        log_level: "use service.log_level",
        feature_use_connectors_api:
          "this service always writes the connector documents directly, which Elasticsearch still supports",
      },
    },
    service: {
      kind: "section",
      keys: {
        idling: seconds(30),
        heartbeat: seconds(300),
        max_errors: int(20, 1),
        max_errors_span: seconds(600),
        max_concurrent_content_syncs: int(1, 1),
        max_concurrent_access_control_syncs: int(1, 1),
        max_concurrent_scheduling_tasks: int(4, 1),
        job_cleanup_interval: seconds(300),
        max_file_download_size: int(10485760, 0),
        preflight_max_attempts: int(10, 1),
        preflight_idle: secondsOrZero(30),
        service_types: { kind: "strings", default: [] },
        log_level: {
          kind: "enum",
          default: "INFO",
          values: ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        },
        log_format: { kind: "enum", default: "text", values: ["text", "json"] },
        idle_job_threshold: seconds(300),
        catch_up_missed_schedules: bool(true),
        max_deletion_ratio: num(0.5, { min: 0, max: 1 }),
        http: {
          kind: "section",
          keys: {
            host: str("127.0.0.1", { check: checkListenHost }),
            port: { kind: "integer", default: 0, min: 0, max: 65535 },
          },
        },
      },
      unused: {
        worker_mode: "list the service types to serve in service.service_types instead",
        fips_mode: "FIPS mode is not supported; run on a FIPS-validated platform instead",
      },
    },
    connectors: { kind: "connectors" },
  },
  unused: {
    extraction_service: "the external extraction service (Tika) is not supported",
    sources: "connectors are built into the binary",
  },
};

/** Keys of one `connectors` entry. */
export const connectorEntrySchema: SectionSpec<ConnectorEntry> = {
  kind: "section",
  keys: {
    connector_id: str(undefined, { check: (v) => v === "" ? "must not be empty" : undefined }),
    service_type: str(),
    api_key: str(),
  },
};

/** The default value of a key (a fresh copy), or undefined for optional keys. */
export function defaults(spec: AnySpec): unknown {
  switch (spec.kind) {
    case "section":
      return Object.fromEntries(
        Object.entries(spec.keys)
          .map(([key, keySpec]) => [key, defaults(keySpec)])
          .filter(([, value]) => value !== undefined),
      );
    case "connectors":
      return [];
    case "strings":
      return [...spec.default];
    case "string_map":
      return { ...spec.default };
    default:
      return spec.default;
  }
}

/** The fully defaulted config, as if `config.yml` were empty (placeholders included). */
export function defaultConfig(): Config {
  return defaults(configSchema as AnySectionSpec) as Config;
}
