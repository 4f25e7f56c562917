/**
 * The config.yml an ftest or the quickstart hands to `connectors sync`: the Elasticsearch to
 * write to and the one connector to serve.
 * @module
 */

/** Options for {@linkcode writeConfig}. */
export interface ConfigFileOptions {
  path: string;
  es: { url: string; username: string; password: string };
  connectorId: string;
  serviceType: string;
}

/**
 * Writes the file, readable by its owner only (it holds a password). Values are quoted, and
 * `${` is escaped so that a password is never read as an environment variable reference.
 */
export async function writeConfig(options: ConfigFileOptions): Promise<void> {
  await Deno.writeTextFile(options.path, configText(options), { mode: 0o600 });
}

/** The file's text. */
export function configText(options: Omit<ConfigFileOptions, "path">): string {
  const quote = (value: string) => JSON.stringify(value.replaceAll("${", () => "$${"));
  return [
    "# Written by connectors ftest / quickstart.",
    "elasticsearch:",
    `  host: ${quote(options.es.url)}`,
    `  username: ${quote(options.es.username)}`,
    `  password: ${quote(options.es.password)}`,
    "service:",
    "  log_level: INFO",
    "connectors:",
    `  - connector_id: ${quote(options.connectorId)}`,
    `    service_type: ${quote(options.serviceType)}`,
    "",
  ].join("\n");
}
