/**
 * mysql2, loaded on first use: it is the largest driver (about 8 MB of resident memory), and
 * a process that syncs only other sources should not pay for it.
 * @module
 */
import type mysql from "mysql2/promise";

let loading: Promise<typeof mysql> | undefined;

/** The `mysql2/promise` module, imported once. */
export function loadMysql2(): Promise<typeof mysql> {
  return loading ??= import("mysql2/promise").then((module) => module.default);
}
