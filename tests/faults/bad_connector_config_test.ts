/**
 * Invalid connector settings stored in Elasticsearch, served by the real daemon
 * (`cli/main.ts run` child) against the real PostgreSQL: each connector ends in `status: error`
 * with a message naming the field, and recovers (`connected`, no error) once the value is fixed.
 */
import assert from "node:assert/strict";
import type { ConnectorDoc } from "../../lib/protocol/mod.ts";
import { uniqueIndexName } from "../support/servers.ts";
import { waitFor } from "../support/service_fixtures.ts";
import { startDaemonChild } from "../support/cli.ts";
import {
  assertNoStackTrace,
  daemonTestKit,
  postgresConfiguration,
  postgresValues,
  writeDaemonConfig,
} from "./support_bad_input.ts";

const { server, pg, connectors, sql, workDir, table: TABLE } = await daemonTestKit(
  "bad-connector-config",
);
const PASSWORD = String(postgresValues(pg, TABLE).password);
await sql`INSERT INTO ${sql(TABLE)} VALUES (1, 'one'), (2, 'two')`;

const DEADLINE_MS = 60_000;

/** One broken connector: how it is broken, what its error must say, and how to fix it. */
interface Case {
  name: string;
  /** Field values over valid ones. */
  values?: Record<string, unknown>;
  /** Other top-level fields over the created document. */
  doc?: (doc: ConnectorDoc) => Partial<ConnectorDoc>;
  /** The connector's `error`, exactly. */
  error: string;
  fix: (doc: ConnectorDoc) => Partial<ConnectorDoc>;
}

function withValues(doc: ConnectorDoc, values: Record<string, unknown>) {
  const configuration = structuredClone(doc.configuration);
  for (const [key, value] of Object.entries(values)) {
    (configuration[key] as { value: unknown }).value = value;
  }
  return { configuration };
}

const CASES: Case[] = [
  {
    name: "port-abc",
    values: { port: "abc" },
    error:
      `Invalid connector configuration: 'Port' (port) must be a whole number (int), got "abc".`,
    fix: (doc) => withValues(doc, { port: postgresValues(pg, TABLE).port }),
  },
  {
    name: "empty-database",
    values: { database: "" },
    error: "Invalid connector configuration: 'Database' (database) cannot be empty.",
    fix: (doc) => withValues(doc, { database: postgresValues(pg, TABLE).database }),
  },
  {
    // The field itself is gone: the daemon adds it back empty, then reports it.
    name: "missing-host-field",
    doc: (doc) => {
      const { host: _, ...configuration } = doc.configuration;
      return { configuration };
    },
    error: "Invalid connector configuration: 'Host' (host) cannot be empty.",
    fix: (doc) => withValues(doc, { host: postgresValues(pg, TABLE).host }),
  },
  {
    name: "bad-cron",
    doc: (doc) => ({
      scheduling: { ...doc.scheduling, full: { enabled: true, interval: "every day at 5" } },
    }),
    error: 'scheduling.full.interval: cron "every day at 5": expected 6 or 7 fields (second ' +
      "minute hour day-of-month month day-of-week [year]), got 4; use Quartz syntax such as " +
      '"0 0 * * * ?" (hourly) or turn the schedule off.',
    fix: (doc) => ({
      scheduling: { ...doc.scheduling, full: { enabled: true, interval: "0 0 3 * * ?" } },
    }),
  },
  {
    name: "bad-index-name",
    doc: () => ({ index_name: "Search Bad/Index" }),
    error: 'index_name "Search Bad/Index" must not contain "/": set the connector\'s ' +
      'index_name to a valid name such as "search-postgresql".',
    fix: () => ({ index_name: uniqueIndexName("bad-config-fixed") }),
  },
];

Deno.test({
  name: "invalid connector settings in Elasticsearch: status error naming the field, then recovery",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const ids = new Map<string, string>();
    for (const item of CASES) {
      const id = `bad-config-${item.name}-${crypto.randomUUID().slice(0, 6)}`;
      ids.set(item.name, id);
      const created = await connectors.create({
        id,
        indexName: uniqueIndexName(`bad-config-${item.name}`),
        serviceType: "postgresql",
        configuration: postgresConfiguration({ ...postgresValues(pg, TABLE), ...item.values }),
      });
      if (item.doc) await connectors.update(id, () => item.doc!(created.doc));
    }
    const config = await writeDaemonConfig(server, {
      dir: workDir,
      connectorIds: [...ids.values()],
    });
    const daemon = startDaemonChild(config);
    try {
      for (const item of CASES) {
        const id = ids.get(item.name)!;
        const failed = await waitFor(`${item.name}: status error`, async () => {
          const doc = (await connectors.get(id))?.doc;
          return doc?.status === "error" ? doc : undefined;
        }, { timeoutMs: DEADLINE_MS });
        assert.equal(failed.error, item.error, item.name);
      }
      // A broken connector is never marked connected in between (no status flapping).
      assert.doesNotMatch(daemon.log(), /connector checked: connected/);
      for (const item of CASES) {
        const id = ids.get(item.name)!;
        await connectors.update(id, (current) => item.fix(current.doc));
      }
      for (const item of CASES) {
        const id = ids.get(item.name)!;
        await waitFor(`${item.name}: connected again`, async () => {
          const doc = (await connectors.get(id))?.doc;
          return doc?.status === "connected" && doc.error === null ? doc : undefined;
        }, { timeoutMs: DEADLINE_MS });
      }
    } finally {
      const { code } = await daemon.stop();
      assertNoStackTrace(daemon.log(), "the daemon");
      assert.ok(!daemon.log().includes(PASSWORD), "the daemon's log hides the password");
      assert.equal(code, 0, daemon.log());
      await sql`DROP TABLE IF EXISTS ${sql(TABLE)}`;
      await sql.end();
    }
  },
});
