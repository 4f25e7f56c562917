import assert from "node:assert/strict";
import {
  contentIndexMappings,
  contentIndexSettings,
  DEFAULT_LANGUAGE,
  LANGUAGES,
} from "./content_index_settings.ts";

interface Analysis {
  analyzer: Record<string, { tokenizer: string; filter: string[] }>;
  filter: Record<string, Record<string, unknown>>;
}

function analysisOf(language: string): Analysis {
  return contentIndexSettings(language).analysis as Analysis;
}

Deno.test("every analyzer only references filters that are defined or built in", () => {
  const builtIn = new Set(["cjk_width", "lowercase", "asciifolding", "cjk_bigram"]);
  for (const language of Object.keys(LANGUAGES)) {
    const { analyzer, filter } = analysisOf(language);
    for (const [name, definition] of Object.entries(analyzer)) {
      for (const used of definition.filter) {
        assert.ok(used in filter || builtIn.has(used), `${language} ${name} uses ${used}`);
      }
    }
  }
});

Deno.test("language-specific stemmer, stop words and elision", () => {
  const fr = analysisOf("fr");
  assert.deepEqual(fr.filter["fr-stem-filter"], {
    type: "stemmer",
    language: "light_french",
    name: "light_french",
  });
  assert.deepEqual(fr.filter["fr-stop-words-filter"], { type: "stop", stopwords: "_french_" });
  assert.equal(fr.analyzer.iq_text_stem.filter[0], "fr-elision");
  assert.equal(fr.analyzer.iq_text_delimiter.tokenizer, "whitespace");

  const ja = analysisOf("ja");
  assert.equal(ja.analyzer.iq_text_stem.filter.at(-1), "cjk_bigram");
  assert.equal(DEFAULT_LANGUAGE, "en");
  assert.throws(() => contentIndexSettings("xx"), /unknown content index language "xx"/);
});

Deno.test("mappings without analyzers keep the enum sub-field and the id keyword", () => {
  const plain = JSON.stringify(contentIndexMappings({ analyzers: false }));
  assert.doesNotMatch(plain, /iq_text|i_prefix|bigram/);
  assert.match(plain, /"enum":\{"type":"keyword","ignore_above":2048\}/);
  assert.match(plain, /"id":\{"type":"keyword"\}/);
});
