/**
 * Content index names a connector may write to: the reference CLI's `validate_index_name`
 * rules plus Elasticsearch's own (`:` and the 255-byte limit), checked before anything is created.
 * @module
 */

const INVALID_CHARACTERS = ["\\", "/", "*", "?", '"', "<", ">", "|", " ", ",", "#", ":"];
const INVALID_FIRST = ["_", "-", "+"];
const MAX_BYTES = 255;

/** Why `name` cannot be a content index name, or undefined when it can. */
export function indexNameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  const bad = INVALID_CHARACTERS.find((character) => name.includes(character));
  if (bad !== undefined) {
    return `must not contain ${bad === " " ? "spaces" : `"${bad}"`}`;
  }
  if (INVALID_FIRST.includes(name[0])) return `must not start with "${name[0]}"`;
  if (name === "." || name === "..") return `must not be "${name}"`;
  if (name !== name.toLowerCase()) return "must be lowercase";
  if (new TextEncoder().encode(name).length > MAX_BYTES) {
    return `must be at most ${MAX_BYTES} bytes long`;
  }
  return undefined;
}
