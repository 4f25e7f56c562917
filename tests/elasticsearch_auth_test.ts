/**
 * Integration test: the test Elasticsearch enforces authentication, and both basic auth and
 * API keys (which need the .security index, i.e. the analysis shim) work.
 */

import assert from "node:assert/strict";
import { basicAuth, testElasticsearch, uniqueIndexName } from "./support/servers.ts";
import { contentIndexSettings } from "../lib/es/content_index_settings.ts";

const es = await testElasticsearch();
const json = { "content-type": "application/json" };

Deno.test("basic auth as elastic reaches the node and reports its version", async () => {
  const response = await fetch(`${es.url}/_nodes/_local`, { headers: basicAuth(es) });
  assert.equal(response.status, 200);
  const body = await response.json() as { nodes: Record<string, { version: string }> };
  const [node] = Object.values(body.nodes);
  assert.match(node.version, /^\d+\.\d+\.\d+/);

  const me = await fetch(`${es.url}/_security/_authenticate`, { headers: basicAuth(es) });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).username, "elastic");
});

Deno.test("a wrong password and no credentials are refused with 401", async () => {
  const wrong = await fetch(`${es.url}/_security/_authenticate`, {
    headers: basicAuth({ ...es, password: `${es.password}-wrong` }),
  });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();

  const anonymous = await fetch(`${es.url}/_security/_authenticate`);
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
});

Deno.test("an API key created through the API authenticates as ApiKey", async () => {
  const created = await fetch(`${es.url}/_security/api_key`, {
    method: "POST",
    headers: { ...basicAuth(es), ...json },
    body: JSON.stringify({ name: uniqueIndexName("api-key-test") }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const { id, api_key: key, encoded } = await created.json();
  assert.equal(encoded, btoa(`${id}:${key}`));

  const me = await fetch(`${es.url}/_security/_authenticate`, {
    headers: { authorization: `ApiKey ${btoa(`${id}:${key}`)}` },
  });
  assert.equal(me.status, 200);
  const body = await me.json();
  assert.equal(body.authentication_type, "api_key");
  assert.equal(body.api_key.id, id);

  const bogus = await fetch(`${es.url}/_security/_authenticate`, {
    headers: { authorization: `ApiKey ${btoa(`${id}:not-the-key`)}` },
  });
  assert.equal(bogus.status, 401);
  await bogus.body?.cancel();
});

Deno.test("an index with Kibana-style content index analysis settings can be created", async () => {
  const index = uniqueIndexName("kibana-analysis");
  // The product's Kibana-style settings (French: elision too), plus two analyzers to probe.
  const settings = contentIndexSettings("fr") as {
    analysis: { analyzer: Record<string, unknown> };
  };
  settings.analysis.analyzer.html = {
    type: "custom",
    tokenizer: "standard",
    char_filter: ["html_strip"],
  };
  settings.analysis.analyzer.elided = {
    type: "custom",
    tokenizer: "standard",
    filter: ["fr-elision", "lowercase"],
  };
  const mappings = { properties: { title: { type: "text", analyzer: "english" } } };
  const created = await fetch(`${es.url}/${index}`, {
    method: "PUT",
    headers: { ...basicAuth(es), ...json },
    body: JSON.stringify({ settings, mappings }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  await created.body?.cancel();

  const analyze = async (body: Record<string, string>) => {
    const response = await fetch(`${es.url}/${index}/_analyze`, {
      method: "POST",
      headers: { ...basicAuth(es), ...json },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200);
    const { tokens } = await response.json() as { tokens: { token: string }[] };
    return tokens.map((t) => t.token);
  };
  assert.deepEqual(await analyze({ analyzer: "i_prefix", text: "Café" }), [
    "c",
    "ca",
    "caf",
    "cafe",
  ]);
  assert.deepEqual(await analyze({ analyzer: "html", text: "<b>bold</b> text" }), [
    "bold",
    "text",
  ]);
  assert.deepEqual(await analyze({ analyzer: "elided", text: "L'avion" }), ["avion"]);
  assert.deepEqual(await analyze({ analyzer: "english", text: "The running dogs" }), [
    "run",
    "dog",
  ]);
  assert.ok((await analyze({ analyzer: "iq_text_delimiter", text: "PowerShot-500" })).includes(
    "powershot500",
  ));

  const deleted = await fetch(`${es.url}/${index}`, { method: "DELETE", headers: basicAuth(es) });
  assert.equal(deleted.status, 200);
  await deleted.body?.cancel();
});
