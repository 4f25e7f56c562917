/**
 * Content index name rules, shared with the daemon's connector checks (they live in lib/es).
 * @module
 */
export { indexNameProblem } from "../lib/es/index_name.ts";
