/**
 * The settings, analyzers and mappings that Kibana gives the `search-*` content indices it
 * creates (Search > Content > Indices), so that indices created by this service behave the same
 * in search applications and relevance tuning. Facts from Kibana's enterprise_search
 * `lib/indices/text_analysis.ts` and `create_index.ts`; the access-control index body follows
 * Elasticsearch's `entsearch/connector/search-acl-filter.json` template.
 * @module
 */

/** How text in one language is stemmed and which stop words are removed. */
export interface LanguageAnalysis {
  /** Label shown to users, e.g. `German`. */
  name: string;
  /** Stemmer `language` of the `stemmer` token filter. */
  stemmer: string;
  /** Predefined stop word list, e.g. `_german_`. */
  stopWords: string;
  /** Extra token filters this language needs (elision). */
  customFilters?: Record<string, unknown>;
  /** Filters applied before folding. */
  prependedFilters?: string[];
  /** Filters applied after stemming. */
  postpendedFilters?: string[];
}

/** The language used when a connector has none ("Universal" in Kibana). */
export const DEFAULT_LANGUAGE = "en";

/** Languages Kibana offers for content indices, by connector `language` code. */
export const LANGUAGES: Readonly<Record<string, LanguageAnalysis>> = {
  da: { name: "Danish", stemmer: "danish", stopWords: "_danish_" },
  de: { name: "German", stemmer: "light_german", stopWords: "_german_" },
  en: { name: "English", stemmer: "light_english", stopWords: "_english_" },
  es: { name: "Spanish", stemmer: "light_spanish", stopWords: "_spanish_" },
  fr: {
    name: "French",
    stemmer: "light_french",
    stopWords: "_french_",
    customFilters: {
      "fr-elision": {
        type: "elision",
        articles: [
          "l",
          "m",
          "t",
          "qu",
          "n",
          "s",
          "j",
          "d",
          "c",
          "jusqu",
          "quoiqu",
          "lorsqu",
          "puisqu",
        ],
        articles_case: true,
      },
    },
    prependedFilters: ["fr-elision"],
  },
  it: {
    name: "Italian",
    stemmer: "light_italian",
    stopWords: "_italian_",
    customFilters: {
      "it-elision": {
        type: "elision",
        articles: [
          "c",
          "l",
          "all",
          "dall",
          "dell",
          "nell",
          "sull",
          "coll",
          "pell",
          "gl",
          "agl",
          "dagl",
          "degl",
          "negl",
          "sugl",
          "un",
          "m",
          "t",
          "s",
          "v",
          "d",
        ],
        articles_case: true,
      },
    },
    prependedFilters: ["it-elision"],
  },
  ja: {
    name: "Japanese",
    stemmer: "light_english",
    stopWords: "_english_",
    postpendedFilters: ["cjk_bigram"],
  },
  ko: {
    name: "Korean",
    stemmer: "light_english",
    stopWords: "_english_",
    postpendedFilters: ["cjk_bigram"],
  },
  nl: { name: "Dutch", stemmer: "dutch", stopWords: "_dutch_" },
  pt: { name: "Portuguese", stemmer: "light_portuguese", stopWords: "_portuguese_" },
  "pt-br": { name: "Portuguese (Brazil)", stemmer: "brazilian", stopWords: "_brazilian_" },
  ru: { name: "Russian", stemmer: "russian", stopWords: "_russian_" },
  th: { name: "Thai", stemmer: "light_english", stopWords: "_thai_" },
  zh: {
    name: "Chinese",
    stemmer: "light_english",
    stopWords: "_english_",
    postpendedFilters: ["cjk_bigram"],
  },
};

const FOLDING = ["cjk_width", "lowercase", "asciifolding"];

const GENERIC_FILTERS = {
  front_ngram: { type: "edge_ngram", min_gram: 1, max_gram: 12 },
  delimiter: {
    type: "word_delimiter_graph",
    generate_word_parts: true,
    generate_number_parts: true,
    catenate_words: true,
    catenate_numbers: true,
    catenate_all: true,
    preserve_original: false,
    split_on_case_change: true,
    split_on_numerics: true,
    stem_english_possessive: true,
  },
  bigram_joiner: {
    type: "shingle",
    token_separator: "",
    max_shingle_size: 2,
    output_unigrams: false,
  },
  bigram_joiner_unigrams: {
    type: "shingle",
    token_separator: "",
    max_shingle_size: 2,
    output_unigrams: true,
  },
  bigram_max_size: { type: "length", min: 0, max: 16 },
};

/** Shard settings of a Kibana-created content index. */
export const CONTENT_INDEX_BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  auto_expand_replicas: "0-3",
  number_of_shards: 2,
};

/** Index `settings` with Kibana's analysis for `language` (a key of {@linkcode LANGUAGES}). */
export function contentIndexSettings(language: string): Record<string, unknown> {
  const data = LANGUAGES[language];
  if (!data) throw new Error(`unknown content index language "${language}"`);
  const stem = `${language}-stem-filter`;
  const stop = `${language}-stop-words-filter`;
  const before = data.prependedFilters ?? [];
  const after = data.postpendedFilters ?? [];
  const custom = (tokenizer: string, filter: string[]) => ({ type: "custom", tokenizer, filter });
  return {
    ...CONTENT_INDEX_BASE_SETTINGS,
    analysis: {
      analyzer: {
        i_prefix: custom("standard", [...FOLDING, "front_ngram"]),
        q_prefix: custom("standard", [...FOLDING]),
        iq_text_base: custom("standard", [...FOLDING, stop]),
        iq_text_stem: custom("standard", [...before, ...FOLDING, stop, stem, ...after]),
        iq_text_delimiter: custom("whitespace", [
          ...before,
          "delimiter",
          ...FOLDING,
          stop,
          stem,
          ...after,
        ]),
        i_text_bigram: custom("standard", [...FOLDING, stem, "bigram_joiner", "bigram_max_size"]),
        q_text_bigram: custom("standard", [
          ...FOLDING,
          stem,
          "bigram_joiner_unigrams",
          "bigram_max_size",
        ]),
      },
      filter: {
        ...GENERIC_FILTERS,
        [stem]: { type: "stemmer", language: data.stemmer, name: data.stemmer },
        [stop]: { type: "stop", stopwords: data.stopWords },
        ...data.customFilters,
      },
    },
  };
}

/**
 * Kibana's dynamic template: every string becomes text analyzed for search, with `stem`,
 * `prefix`, `delimiter`, `joined` and `enum` (keyword) sub-fields.
 */
export const CONTENT_DYNAMIC_TEMPLATES: readonly Record<string, unknown>[] = [
  {
    all_text_fields: {
      match_mapping_type: "string",
      mapping: {
        analyzer: "iq_text_base",
        fields: {
          delimiter: { type: "text", analyzer: "iq_text_delimiter", index_options: "freqs" },
          enum: { type: "keyword", ignore_above: 2048 },
          joined: {
            type: "text",
            analyzer: "i_text_bigram",
            search_analyzer: "q_text_bigram",
            index_options: "freqs",
          },
          prefix: {
            type: "text",
            analyzer: "i_prefix",
            search_analyzer: "q_prefix",
            index_options: "docs",
          },
          stem: { type: "text", analyzer: "iq_text_stem" },
        },
      },
    },
  },
];

// Without the custom analyzers (minimal clusters), strings still get the `enum` keyword sub-field
// that search applications and document-level security filters query.
const PLAIN_DYNAMIC_TEMPLATES: readonly Record<string, unknown>[] = [
  {
    all_text_fields: {
      match_mapping_type: "string",
      mapping: { type: "text", fields: { enum: { type: "keyword", ignore_above: 2048 } } },
    },
  },
];

/**
 * Content index mappings. `id` is a keyword (as the Python service mapped it) because the
 * deletion sweep and exact lookups use it; other fields, `_timestamp` and `_allow_access_control`
 * included, are mapped dynamically as in a Kibana-created index. `analyzers: false` gives the
 * same shape without references to the custom analyzers.
 */
export function contentIndexMappings(
  options: { analyzers: boolean } = { analyzers: true },
): Record<string, unknown> {
  return {
    dynamic: true,
    dynamic_templates: options.analyzers ? CONTENT_DYNAMIC_TEMPLATES : PLAIN_DYNAMIC_TEMPLATES,
    properties: { id: { type: "keyword" } },
  };
}

/** Body for `PUT .search-acl-filter-<index>`, as Elasticsearch's built-in template. */
export function accessControlIndexBody(): Record<string, unknown> {
  return {
    settings: { index: { hidden: true, number_of_shards: 1, auto_expand_replicas: "0-1" } },
    mappings: { dynamic: false, properties: { created_at: { type: "date" } } },
  };
}
