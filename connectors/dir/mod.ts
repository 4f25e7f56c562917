/**
 * The `dir` connector: a local directory and a glob pattern (the reference's "System
 * Directory" connector).
 * @module
 */
import type { ConnectorType } from "../../lib/source/types.ts";
import { DirectorySource } from "./source.ts";

/** The directory synced when the connector has no value: `SYSTEM_DIR`, else the working dir. */
function defaultDirectory(): string {
  try {
    return Deno.env.get("SYSTEM_DIR") ?? Deno.cwd();
  } catch {
    return ".";
  }
}

/** The `dir` connector type. */
export const dirConnector: ConnectorType = {
  serviceType: "dir",
  name: "System Directory",
  configSchema: {
    directory: { label: "Directory path", order: 1, type: "str", value: defaultDirectory() },
    pattern: {
      label: "File glob-like pattern",
      display: "text",
      order: 2,
      type: "str",
      value: "**/*.*",
    },
  },
  features: {
    basicRules: true,
    advancedRules: false,
    documentLevelSecurity: false,
    incrementalSync: false,
  },
  create: (options) => new DirectorySource(options),
};
