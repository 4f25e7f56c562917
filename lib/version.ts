/**
 * The program's version, read from deno.json at build time so there is one place to bump it.
 * @module
 */
import meta from "../deno.json" with { type: "json" };

/** Semantic version of this build, e.g. `0.1.0`. */
export const VERSION: string = meta.version;
/** Sent as `user-agent` so cluster operators can tell our traffic apart. */
export const USER_AGENT = `connectors-deno/${VERSION}`;
