import assert from "node:assert/strict";
import { ANALYSIS_SHIM_SOURCES } from "../../lib/harness/analysis_shim_sources.ts";
import { readShimSources } from "./embed_shim.ts";

Deno.test("the embedded analysis-shim sources match tests/harness/analysis-shim/", async () => {
  const files = await readShimSources();
  assert.deepEqual(
    { ...ANALYSIS_SHIM_SOURCES },
    files,
    "lib/harness/analysis_shim_sources.ts is stale: run `deno run -A tests/harness/embed_shim.ts`",
  );
  assert.ok(Object.keys(files).some((path) => path.endsWith("AnalysisShimPlugin.java")));
  assert.ok("plugin-descriptor.properties" in files);
});
