/**
 * `connectors validate-config [-c config.yml]`: check a config file and say exactly what is wrong.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { CONNECTOR_TYPES } from "../connectors/registry.ts";
import {
  type Config,
  ConfigError,
  type ConfigProblem,
  type Env,
  formatProblem,
  loadConfig,
  type LoadedConfig,
  requireConnectors,
} from "../lib/config/mod.ts";

/** Where `validate-config` writes; tests pass their own. */
export interface ValidateConfigOutput {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Variables for `${VAR}`; default the process environment. */
  env?: Env;
}

/** The `validate-config` command; sets `Deno.exitCode` to 0 (valid) or 1 (problems). */
export function validateConfigCommand(output: Partial<ValidateConfigOutput> = {}) {
  return new Command("validate-config")
    .description("check a config file: every problem with its line, or a summary of what it sets")
    .option("-c, --config <path>", "config file", "config.yml")
    .action(async (options) => {
      Deno.exitCode = await validateConfig(options.config, {
        out: output.out ?? console.log,
        err: output.err ?? console.error,
        env: output.env,
      });
    });
}

/** Checks `path` and prints the outcome; returns the exit code. Never throws. */
export async function validateConfig(path: string, output: ValidateConfigOutput): Promise<number> {
  try {
    const serviceTypes = [...CONNECTOR_TYPES.keys()];
    const loaded = await loadConfig(path, { env: output.env, serviceTypes });
    for (const line of summary(loaded)) output.out(line);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      output.err(`connectors validate-config: ${error instanceof Error ? error.message : error}`);
      return 1;
    }
    for (const problem of error.problems) output.err(formatProblem(problem));
    const count = error.problems.length;
    if (count > 1 || error.problems[0]?.path !== "" || error.problems[0]?.line !== undefined) {
      output.err(`${count} problem${count === 1 ? "" : "s"} in ${path}`);
    }
    return 1;
  }
}

function summary({ config, warnings, source }: LoadedConfig): string[] {
  const es = config.elasticsearch;
  const lines = [
    `${source}: valid`,
    `  Elasticsearch  ${es.host}`,
    `  auth           ${es.api_key !== undefined ? "API key" : `basic auth as ${es.username}`}`,
    `  TLS            ${tls(config)}`,
  ];
  const headers = Object.keys(es.headers);
  if (headers.length > 0) lines.push(`  headers        ${headers.join(", ")}`);
  if (config.service.service_types.length > 0) {
    lines.push(`  service types  ${config.service.service_types.join(", ")}`);
  }
  lines.push(`  logging        ${config.service.log_level}, ${config.service.log_format}`);
  const http = config.service.http;
  if (http.port > 0) {
    const host = http.host.includes(":") ? `[${http.host}]` : http.host;
    lines.push(`  HTTP           http://${host}:${http.port} (/healthz, /readyz, /metrics)`);
  }
  lines.push(
    `  connectors     ${config.connectors.length === 0 ? "none" : config.connectors.length}`,
  );
  if (config.connectors.length > 0) lines.push(...connectorTable(config));

  const all = [...warnings, ...needsConnectors(config, source)];
  if (all.length > 0) {
    lines.push(`  warnings       ${all.length}`);
    for (const warning of all) lines.push(`    ${formatWarning(warning)}`);
  }
  return lines;
}

function tls(config: Config): string {
  const es = config.elasticsearch;
  if (!es.host.startsWith("https:")) return "off (http://)";
  if (!es.verify_certs) return "on, server certificate NOT verified (verify_certs: false)";
  if (es.ca_certs !== undefined) return `on, verified against ${es.ca_certs}`;
  return "on, verified against the system CA store";
}

function connectorTable(config: Config): string[] {
  const rows = [
    ["ID", "SERVICE TYPE", "OWN API KEY"],
    ...config.connectors.map((
      c,
    ) => [c.connector_id, c.service_type ?? "-", c.api_key ? "yes" : "no"]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    `    ${row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()}`
  );
}

/** `connectors run` refuses a config with nothing to serve; other commands do not need connectors. */
function needsConnectors(config: Config, source: string): ConfigProblem[] {
  try {
    requireConnectors(config, { source });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => ({
      ...p,
      message: `${p.message} (needed by connectors run)`,
    }));
  }
}

function formatWarning(warning: ConfigProblem): string {
  const line = formatProblem(warning);
  const at = line.indexOf(": ");
  return `${line.slice(0, at)}: warning: ${line.slice(at + 2)}`;
}
