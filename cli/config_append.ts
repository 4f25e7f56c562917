/**
 * Appends a connector entry to `config.yml` without disturbing the rest of the file: the YAML
 * document is edited in place, so comments, key order and formatting survive.
 * @module
 */
import * as YAML from "yaml";
import type { ConnectorEntry } from "../lib/config/mod.ts";
import { CommandError } from "./context.ts";

/**
 * `text` with `entry` added at the end of its `connectors` list (created when absent or null).
 * Throws {@linkcode CommandError} when the file does not parse or `connectors` is not a list.
 */
export function appendConnectorEntry(
  text: string,
  options: { entry: ConnectorEntry; path: string },
): string {
  const { entry, path } = options;
  const doc: YAML.Document = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    // First line only: the rest quotes the file, which may hold secrets.
    const reason = doc.errors[0].message.split("\n")[0];
    throw new CommandError(`cannot add the connector to ${path}: ${reason}; fix the file first`);
  }
  const item = doc.createNode(withoutUndefined(entry));
  if (doc.contents === null || (YAML.isScalar(doc.contents) && doc.contents.value === null)) {
    doc.contents = doc.createNode({ connectors: [] });
  }
  if (!YAML.isMap(doc.contents)) {
    throw new CommandError(`cannot add the connector to ${path}: the file is not a YAML mapping`);
  }
  const current = doc.get("connectors", true);
  if (current === undefined || (YAML.isScalar(current) && current.value === null)) {
    const list = doc.createNode([item]);
    list.flow = false;
    doc.set("connectors", list);
  } else if (YAML.isSeq(current)) {
    // An empty `connectors: []` would otherwise grow as a one-line flow list.
    if (current.items.length === 0) current.flow = false;
    current.items.push(item);
  } else {
    throw new CommandError(
      `cannot add the connector to ${path}: "connectors" is not a list; make it a list of ` +
        `{connector_id, service_type, api_key} entries`,
    );
  }
  return String(doc);
}

function withoutUndefined(entry: ConnectorEntry): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entry).filter(([, value]) => value !== undefined),
  ) as Record<string, string>;
}
