/**
 * Logging in plain text or ECS JSON, to stderr (stdout is kept for command output).
 * Job lines carry the connector id, job id and index name, as in the reference service.
 *
 * @example
 * ```ts
 * configureLogging({ level: "INFO", format: "json" });
 * const jobLog = log.child({ connector_id: "c1", sync_job_id: "j1", index_name: "search-x" });
 * jobLog.info("sync started");
 * ```
 * @module
 */

/** Levels in the reference's names. */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";
/** `text` for people, `json` for ECS-aware shippers such as Filebeat. */
export type LogFormat = "text" | "json";
/** Context carried by a logger and printed on each line. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const RANK: Record<LogLevel, number> = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
  CRITICAL: 50,
};
const TEXT_LABELS: Record<string, string> = {
  connector_id: "Connector id",
  index_name: "index name",
  sync_job_id: "Sync job id",
};

interface Settings {
  level: LogLevel;
  format: LogFormat;
  write: (line: string) => void;
}

const encoder = new TextEncoder();

/** Writes `text` to stderr at once and whole (writeSync may take only part of it). */
export function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) {
    written += Deno.stderr.writeSync(bytes.subarray(written));
  }
}

/** Where log lines go unless {@linkcode configureLogging} says otherwise. */
export const writeLineToStderr = (line: string): void => writeStderr(`${line}\n`);

const settings: Settings = {
  level: "INFO",
  format: "text",
  write: writeLineToStderr,
};

/** Sets the level, the format and optionally where lines go (tests capture them). */
export function configureLogging(options: Partial<Settings>): void {
  Object.assign(settings, options);
}

/** A logger with fixed context fields. */
export class Logger {
  readonly fields: LogFields;
  constructor(fields: LogFields = {}) {
    this.fields = fields;
  }

  /** A logger that adds `fields` to this one's. */
  child(fields: LogFields): Logger {
    return new Logger({ ...this.fields, ...fields });
  }

  /** Whether a line at `level` would be written. */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[settings.level];
  }

  debug(message: string, extra?: LogFields): void {
    this.#emit("DEBUG", message, extra);
  }
  info(message: string, extra?: LogFields): void {
    this.#emit("INFO", message, extra);
  }
  warn(message: string, extra?: LogFields): void {
    this.#emit("WARNING", message, extra);
  }
  error(message: string, extra?: LogFields): void {
    this.#emit("ERROR", message, extra);
  }

  #emit(level: LogLevel, message: string, extra?: LogFields): void {
    if (!this.enabled(level)) return;
    const fields = extra ? { ...this.fields, ...extra } : this.fields;
    settings.write(
      settings.format === "json"
        ? ecsLine(level, message, fields)
        : textLine(level, message, fields),
    );
  }
}

function textLine(level: LogLevel, message: string, fields: LogFields): string {
  const context: string[] = [];
  const rest: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (key in TEXT_LABELS) context.push(`${TEXT_LABELS[key]}: ${value}`);
    else if (key !== "service_type") rest.push(`${key}=${value}`);
  }
  const prefix = context.length ? ` [${context.join(", ")}]` : "";
  const suffix = rest.length ? ` (${rest.join(" ")})` : "";
  return `${new Date().toISOString()} ${level.padEnd(7)}${prefix} ${message}${suffix}`;
}

function ecsLine(level: LogLevel, message: string, fields: LogFields): string {
  const labels: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) labels[key] = value;
  }
  return JSON.stringify({
    "@timestamp": new Date().toISOString(),
    "log.level": level.toLowerCase(),
    message,
    "ecs.version": "1.6.0",
    "service.name": "connectors",
    labels,
  });
}

/** The root logger. */
export const log: Logger = new Logger();
