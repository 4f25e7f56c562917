/**
 * A strict reader of the Prometheus text exposition format for tests: every line must be a
 * `# HELP`, a `# TYPE` or a sample of a family declared before it, label values unescaped.
 * It throws on anything else, so a scrape that parses is well formed.
 *
 * @example
 * ```ts
 * const scrape = parseExposition(await (await fetch(`${url}/metrics`)).text());
 * scrape.value("connectors_documents_indexed_total", { connector_id: "c1" });
 * ```
 * @module
 */

/** One sample line. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed scrape. */
export interface Exposition {
  /** Family name to type (`counter`, `gauge`, `histogram`, ...). */
  types: Map<string, string>;
  /** Family name to help text. */
  help: Map<string, string>;
  samples: ParsedSample[];
  /** The value of the one sample named `name` whose labels include `labels`, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)$`);
const SUFFIXES: Record<string, string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/** Parses `text`; throws naming the first bad line. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: ParsedSample[] = [];
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  text.slice(0, -1).split("\n").forEach((line, i) => {
    const where = `line ${i + 1} "${line}"`;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`${where}: bad metric name`);
      if (kind === "HELP") {
        if (help.has(name)) throw new Error(`${where}: second HELP for ${name}`);
        help.set(name, unescape(rest, false));
      } else {
        if (!(rest in SUFFIXES)) throw new Error(`${where}: unknown type ${rest}`);
        if (types.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
        types.set(name, rest);
      }
      return;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`${where}: not a sample line`);
    const [, name, , labelText, valueText] = match;
    if (familyOf(name, types) === undefined) {
      throw new Error(`${where}: sample of a family without a TYPE line before it`);
    }
    const value = valueText === "+Inf"
      ? Infinity
      : valueText === "-Inf"
      ? -Infinity
      : Number(valueText);
    if (Number.isNaN(value) && valueText !== "NaN") throw new Error(`${where}: bad value`);
    samples.push({ name, labels: parseLabels(labelText ?? "", where), value });
  });
  return {
    types,
    help,
    samples,
    value(name, labels = {}) {
      const found = samples.filter((sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
      );
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
      return found[0]?.value;
    },
  };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  for (const [family, type] of types) {
    if (SUFFIXES[type].some((suffix) => family + suffix === name)) return family;
  }
  return undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
  let at = 0;
  while (at < text.length) {
    pair.lastIndex = at;
    const match = pair.exec(text);
    if (!match) throw new Error(`${where}: bad labels at "${text.slice(at)}"`);
    if (match[1] in labels) throw new Error(`${where}: label ${match[1]} twice`);
    labels[match[1]] = unescape(match[2], true);
    at = pair.lastIndex;
  }
  return labels;
}

function unescape(text: string, quotes: boolean): string {
  return text.replace(/\\(.)/g, (whole, char: string) => {
    if (char === "n") return "\n";
    if (char === "\\") return "\\";
    if (char === '"' && quotes) return '"';
    return whole;
  });
}
