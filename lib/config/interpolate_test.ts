import assert from "node:assert/strict";
import { interpolateEnv } from "./interpolate.ts";

Deno.test("interpolateEnv replaces variables, also inside longer strings", () => {
  const env = { HOST: "es.local", PORT: "9243" };
  assert.deepEqual(interpolateEnv("https://${HOST}:${PORT}/", env), {
    value: "https://es.local:9243/",
  });
});

Deno.test("interpolateEnv uses the default when the variable is unset or empty", () => {
  assert.deepEqual(interpolateEnv("${A:-x}-${B:-y}-${C:-}", { B: "" }), { value: "x-y-" });
  assert.deepEqual(interpolateEnv("${B}", { B: "" }), { value: "" });
});

Deno.test("interpolateEnv names every unset variable without a default", () => {
  assert.deepEqual(interpolateEnv("${A}/${B:-b}/${C}", {}), { missing: ["A", "C"] });
});

Deno.test("interpolateEnv keeps $${ as a literal ${ and leaves plain $ alone", () => {
  assert.deepEqual(interpolateEnv("p$w$${HOME}", { HOME: "/root" }), { value: "p$w${HOME}" });
});
