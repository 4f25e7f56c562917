/**
 * The only file that lists every connector's ftest fixture (`connectors/<type>/ftest.ts`), the
 * way registry.ts lists the connectors; `lib/ftest` never imports connectors.
 * @module
 */
import type { FtestFixture } from "../lib/ftest/mod.ts";
import { dirFixture } from "./dir/ftest.ts";
import { mysqlFixture } from "./mysql/ftest.ts";
import { postgresqlFixture } from "./postgresql/ftest.ts";
import { s3Fixture } from "./s3/ftest.ts";

/** Every ftest fixture, by `service_type`. */
export const FTEST_FIXTURES: ReadonlyMap<string, FtestFixture> = new Map(
  [dirFixture, mysqlFixture, postgresqlFixture, s3Fixture].map((fixture) => [
    fixture.serviceType,
    fixture,
  ]),
);
