/**
 * A test-only connector type, `service_test`, for service and `connectors sync` tests: it yields
 * `count` small documents (ids `doc-0`..), optionally slowly, optionally failing, and supports
 * every feature (basic and advanced rules, incremental, document-level security) so the daemon
 * schedules and runs every job type. Registered only by {@linkcode SERVICE_TEST_TYPES}.
 *
 * Advanced rules: `{ "max_id": <n> }` keeps documents 0..n; anything else is invalid.
 * @module
 */
import { CONNECTOR_TYPES } from "../../connectors/registry.ts";
import type {
  ConnectorType,
  RuleProblem,
  Source,
  SourceDocument,
  SourceItem,
  SyncContext,
} from "../../lib/source/types.ts";
import { sleep } from "../../lib/util/retry.ts";

/** What this process's sources did, for exactly-once assertions in in-process tests. */
export const serviceSourceActivity = {
  /** Full or incremental iterations started (one per content job run). */
  contentRuns: 0,
  /** Access-control iterations started. */
  accessControlRuns: 0,
};

/** Identities an access-control sync yields. */
export const SERVICE_TEST_USERS = 3;

/** The `service_test` connector type. */
export const serviceTestConnector: ConnectorType = {
  serviceType: "service_test",
  name: "Service test source",
  configSchema: {
    count: { label: "Documents", type: "int", display: "numeric", value: 10, order: 1 },
    delay_ms: {
      label: "Delay per document (ms)",
      type: "int",
      display: "numeric",
      required: false,
      default_value: 0,
      value: "",
      order: 2,
    },
    fail_after: {
      label: "Fail after this many documents",
      type: "int",
      display: "numeric",
      required: false,
      value: "",
      order: 3,
    },
    ping_error: {
      label: "Ping error (empty: ping succeeds)",
      required: false,
      value: "",
      order: 4,
    },
  },
  features: {
    basicRules: true,
    advancedRules: true,
    documentLevelSecurity: true,
    incrementalSync: true,
  },
  create({ config }): Source {
    const count = Number(config.count ?? 0);
    const delayMs = Number(config.delay_ms ?? 0);
    const failAfter = config.fail_after === null ? undefined : Number(config.fail_after);
    const pingError = String(config.ping_error ?? "");
    return {
      validateConfig: () => Promise.resolve(),
      ping: () => pingError ? Promise.reject(new Error(pingError)) : Promise.resolve(),
      docs: (context) => docs(context),
      accessControlDocs: () => identities(),
      validateAdvancedRules: (rules) => Promise.resolve(advancedRuleProblems(rules)),
      close: () => Promise.resolve(),
    };

    async function* docs(context: SyncContext): AsyncGenerator<SourceItem> {
      serviceSourceActivity.contentRuns++;
      const maxId = maxIdRule(context.advancedRules);
      for (let i = 0; i < count; i++) {
        if (failAfter !== undefined && i >= failAfter) {
          throw new Error(`the test source failed on purpose after ${failAfter} documents`);
        }
        if (delayMs > 0) await sleep(delayMs, context.signal);
        if (maxId !== undefined && i > maxId) continue;
        yield { doc: { _id: `doc-${i}`, title: `Document ${i}`, rank: i } };
      }
    }
  },
};

async function* identities(): AsyncGenerator<SourceDocument> {
  serviceSourceActivity.accessControlRuns++;
  for (let i = 0; i < SERVICE_TEST_USERS; i++) {
    yield {
      _id: `user-${i}`,
      identity: { email: `user${i}@example.com` },
      query: { template: { params: { access_control: [`user:user${i}@example.com`] } } },
    };
  }
}

function maxIdRule(rules: unknown): number | undefined {
  if (rules && typeof rules === "object" && "max_id" in rules) {
    return Number((rules as { max_id: unknown }).max_id);
  }
  return undefined;
}

function advancedRuleProblems(rules: unknown): RuleProblem[] {
  if (rules === undefined || rules === null) return [];
  if (typeof rules === "object" && !Array.isArray(rules)) {
    const keys = Object.keys(rules);
    if (keys.length === 0) return [];
    const maxId = (rules as Record<string, unknown>).max_id;
    if (keys.length === 1 && typeof maxId === "number" && Number.isInteger(maxId)) return [];
  }
  return [{
    id: "advanced_snippet",
    message: `advanced rules must be {"max_id": <integer>}, got ${JSON.stringify(rules)}`,
  }];
}

/** The product's registry plus `service_test`. */
export const SERVICE_TEST_TYPES: ReadonlyMap<string, ConnectorType> = new Map([
  ...CONNECTOR_TYPES,
  [serviceTestConnector.serviceType, serviceTestConnector],
]);
