/** YAML text -> a small tree that remembers the line and column of every key and value. */
import YAML from "yaml";
import type { ConfigProblem } from "./problem.ts";

/** 1-based line and column in the file. */
export interface Pos {
  line: number;
  column: number;
}
/** A YAML mapping, entries in file order. */
export interface MapNode {
  kind: "map";
  pos: Pos;
  entries: Entry[];
}
/** One `key: value` of a mapping. */
export interface Entry {
  key: string;
  keyPos: Pos;
  value: TreeNode;
}
/** A YAML sequence. */
export interface ListNode {
  kind: "list";
  pos: Pos;
  items: TreeNode[];
}
/** A YAML scalar: the parsed value (null for an empty value) and its source text. */
export interface ScalarNode {
  kind: "scalar";
  pos: Pos;
  value: string | number | boolean | null;
  /** The text as written (without quotes), so `0123` can stay a string for string keys. */
  text: string;
}
/** Any node of the tree. */
export type TreeNode = MapNode | ListNode | ScalarNode;

/** Parses YAML; on syntax errors returns only those problems (the tree would be guesswork). */
export function parseYamlTree(
  text: string,
  source: string,
): { root?: TreeNode; problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter });
  const asProblem = (error: YAML.YAMLError): ConfigProblem => ({
    source,
    path: "",
    line: error.linePos?.[0].line,
    column: error.linePos?.[0].col,
    message: `YAML: ${yamlMessage(error, text)}`,
  });
  const warnings = doc.warnings.map(asProblem);
  if (doc.errors.length > 0) return { problems: doc.errors.map(asProblem), warnings };

  const at = (offset: number | undefined): Pos => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const problems: ConfigProblem[] = [];
  const convert = (node: unknown, fallback: Pos): TreeNode => {
    if (YAML.isAlias(node)) node = node.resolve(doc);
    if (YAML.isMap(node)) {
      const entries: Entry[] = [];
      for (const pair of node.items) {
        const keyPos = YAML.isNode(pair.key) ? at(pair.key.range?.[0]) : fallback;
        if (!YAML.isScalar(pair.key)) {
          problems.push({ source, path: "", ...keyPos, message: "YAML: keys must be plain names" });
          continue;
        }
        entries.push({ key: String(pair.key.value), keyPos, value: convert(pair.value, keyPos) });
      }
      return { kind: "map", pos: at(node.range?.[0]), entries };
    }
    if (YAML.isSeq(node)) {
      return {
        kind: "list",
        pos: at(node.range?.[0]),
        items: node.items.map((i) => convert(i, fallback)),
      };
    }
    if (YAML.isScalar(node)) {
      const value = node.value;
      const plain = typeof value === "string" || typeof value === "number" ||
          typeof value === "boolean"
        ? value
        : null;
      return {
        kind: "scalar",
        pos: at(node.range?.[0]),
        value: plain,
        text: node.source ?? String(value),
      };
    }
    return { kind: "scalar", pos: fallback, value: null, text: "" };
  };
  const root = convert(doc.contents, { line: 1, column: 1 });
  return { root, problems, warnings };
}

/** One line saying what is wrong and, for the common mistakes, how to fix it. */
function yamlMessage(error: YAML.YAMLError, text: string): string {
  // Only the first line: the rest quotes the source, which may hold a secret.
  const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  if (error.code === "TAB_AS_INDENT") return `${message}; indent with spaces`;
  if (error.code === "DUPLICATE_KEY") {
    // Key names are schema words, never secrets.
    const key = /^\s*["']?([^"':,{}[\]\n]+)/.exec(text.slice(error.pos[0]))?.[1]?.trim();
    if (key) return `the key "${key}" appears twice in the same mapping; keep one`;
  }
  return message;
}

/**
 * The entries of a mapping with dotted keys nested (`bulk.chunk_size: 10` is `bulk: {chunk_size: 10}`)
 * and repeated sections deep-merged, later keys winning, as the reference does.
 */
export function expandDottedKeys(map: MapNode): Map<string, Entry> {
  const merged = new Map<string, Entry>();
  for (const entry of map.entries) {
    const [head, ...rest] = entry.key.split(".");
    const value: TreeNode = rest.length === 0 ? entry.value : {
      kind: "map",
      pos: entry.keyPos,
      entries: [{ key: rest.join("."), keyPos: entry.keyPos, value: entry.value }],
    };
    const earlier = merged.get(head);
    if (earlier?.value.kind === "map" && value.kind === "map") {
      const entries = [...earlier.value.entries, ...value.entries];
      merged.set(head, { ...earlier, value: { ...earlier.value, entries } });
    } else {
      merged.set(head, { key: head, keyPos: entry.keyPos, value });
    }
  }
  return merged;
}
