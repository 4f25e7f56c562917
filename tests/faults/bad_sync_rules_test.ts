/**
 * Invalid draft sync rules on PostgreSQL connectors, validated by the real daemon
 * (`cli/main.ts run` child) against the real PostgreSQL: the draft's `validation` becomes
 * `invalid` with errors naming the rules, the active rules stay as they were, and a corrected
 * draft becomes valid and active.
 */
import assert from "node:assert/strict";
import {
  defaultFilteringEntry,
  type Filter,
  type FilteringValidation,
} from "../../lib/protocol/mod.ts";
import type { BasicRule } from "../../lib/sync/types.ts";
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
  "bad-sync-rules",
);

const DEADLINE_MS = 60_000;
const NOW = new Date().toISOString();

function rule(fields: Partial<BasicRule> & { id: string }): BasicRule {
  return {
    policy: "include",
    field: "name",
    rule: "equals",
    value: "one",
    order: 1,
    created_at: NOW,
    updated_at: NOW,
    ...fields,
  };
}

const DEFAULT_RULE = rule({ id: "DEFAULT", field: "_", rule: "regex", value: ".*", order: 0 });

/** One connector's edited draft, what its validation must say, and a corrected draft. */
interface Case {
  name: string;
  rules: BasicRule[];
  advanced: unknown;
  /** Expected error ids, each with a pattern its messages must match. */
  errors: [id: string, message: RegExp][];
  fixed: { rules: BasicRule[]; advanced: unknown };
}

const CASES: Case[] = [
  {
    name: "basic",
    rules: [
      rule({ id: "bad-regex", rule: "regex", value: "a(b", order: 1 }),
      rule({ id: "bad-policy", policy: "skip" as BasicRule["policy"], order: 2 }),
      rule({ id: "bad-rule", rule: "like", value: "x", order: 3 }),
      rule({ id: "fine", field: "id", rule: ">", value: "1", order: 4 }),
      DEFAULT_RULE,
    ],
    advanced: {},
    errors: [
      ["bad-regex", /the regex does not compile/],
      ["bad-policy", /policy "skip" must be include or exclude/],
      ["bad-rule", /rule "like" must be one of equals, contains/],
    ],
    fixed: {
      rules: [rule({ id: "fine", field: "id", rule: ">", value: "1", order: 4 }), DEFAULT_RULE],
      advanced: {},
    },
  },
  {
    name: "advanced-syntax",
    rules: [DEFAULT_RULE],
    advanced: [{ tables: [TABLE], query: `SELEC * FROM ${TABLE}` }],
    errors: [["advanced_snippet", /rule 1: .*syntax error at or near "SELEC"/]],
    fixed: {
      rules: [DEFAULT_RULE],
      advanced: [{ tables: [TABLE], query: `SELECT * FROM ${TABLE} WHERE id > 1` }],
    },
  },
  {
    name: "advanced-unknown-table",
    rules: [DEFAULT_RULE],
    advanced: [{ tables: ["no_such_table_zz"], query: "SELECT * FROM no_such_table_zz" }],
    errors: [
      ["advanced_snippet", /Tables not found or inaccessible in schema "public": no_such_table_zz/],
      ["advanced_snippet", /rule 1: .*no_such_table_zz/],
    ],
    fixed: {
      rules: [DEFAULT_RULE],
      advanced: [{ tables: [TABLE], query: `SELECT id FROM ${TABLE}` }],
    },
  },
];

function draftOf(filter: Filter, draft: { rules: BasicRule[]; advanced: unknown }): Filter {
  return {
    ...filter,
    rules: draft.rules,
    advanced_snippet: { value: draft.advanced, created_at: NOW, updated_at: NOW },
    validation: { state: "edited", errors: [] },
  };
}

async function editDraft(id: string, draft: { rules: BasicRule[]; advanced: unknown }) {
  await connectors.update(id, (current) => {
    const entry = defaultFilteringEntry(current.doc)!;
    entry.draft = draftOf(entry.draft, draft);
    return { filtering: current.doc.filtering };
  });
}

async function waitForValidation(id: string, state: "valid" | "invalid") {
  return await waitFor(`connector ${id}: draft ${state}`, async () => {
    const stored = await connectors.get(id);
    const entry = stored && defaultFilteringEntry(stored.doc);
    return entry?.draft.validation.state === state ? entry : undefined;
  }, { timeoutMs: DEADLINE_MS });
}

function assertErrors(validation: FilteringValidation, expected: Case["errors"], name: string) {
  const described = JSON.stringify(validation.errors);
  for (const [id, message] of expected) {
    assert.ok(
      validation.errors.some((error) =>
        error.ids.includes(id) && error.messages.some((text) => message.test(text))
      ),
      `${name}: no error for ${id} matching ${message} in ${described}`,
    );
  }
  const ids = new Set(validation.errors.flatMap((error) => error.ids));
  assert.deepEqual([...ids].sort(), [...new Set(expected.map(([id]) => id))].sort(), name);
}

Deno.test({
  name: "invalid draft sync rules: validation invalid with rule ids, active rules untouched",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const ids = new Map<string, string>();
    for (const item of CASES) {
      const id = `bad-rules-${item.name}-${crypto.randomUUID().slice(0, 6)}`;
      ids.set(item.name, id);
      await connectors.create({
        id,
        indexName: uniqueIndexName(`bad-rules-${item.name}`),
        serviceType: "postgresql",
        configuration: postgresConfiguration(postgresValues(pg, TABLE)),
      });
    }
    const config = await writeDaemonConfig(server, {
      dir: workDir,
      connectorIds: [...ids.values()],
    });
    const daemon = startDaemonChild(config);
    try {
      // Edited once the daemon has seen them connected, as a user edits in Kibana.
      const activeBefore = new Map<string, Filter>();
      for (const item of CASES) {
        const id = ids.get(item.name)!;
        const connected = await waitFor(`${item.name}: connected`, async () => {
          const doc = (await connectors.get(id))?.doc;
          return doc?.status === "connected" ? doc : undefined;
        }, { timeoutMs: DEADLINE_MS });
        activeBefore.set(item.name, defaultFilteringEntry(connected)!.active);
        await editDraft(id, item);
      }
      for (const item of CASES) {
        const id = ids.get(item.name)!;
        const entry = await waitForValidation(id, "invalid");
        assertErrors(entry.draft.validation, item.errors, item.name);
        assert.deepEqual(entry.active, activeBefore.get(item.name), `${item.name}: active kept`);
        const connector = (await connectors.get(id))!.doc;
        assert.equal(connector.status, "connected", `${item.name}: invalid rules are no outage`);
      }
      for (const item of CASES) await editDraft(ids.get(item.name)!, item.fixed);
      for (const item of CASES) {
        const entry = await waitForValidation(ids.get(item.name)!, "valid");
        assert.deepEqual(entry.draft.validation.errors, []);
        assert.deepEqual(entry.active.rules, item.fixed.rules, `${item.name}: now active`);
        assert.deepEqual(entry.active.advanced_snippet.value, item.fixed.advanced);
      }
    } finally {
      const { code } = await daemon.stop();
      assertNoStackTrace(daemon.log(), "the daemon");
      // Edits racing the daemon's own writes (heartbeats, validation) are no service errors.
      assert.doesNotMatch(daemon.log(), /connector tick failed/);
      assert.equal(code, 0, daemon.log());
      await sql`DROP TABLE IF EXISTS ${sql(TABLE)}`;
      await sql.end();
    }
  },
});
