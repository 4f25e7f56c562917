/**
 * Glob patterns as Python's pathlib understands them (the reference's `dir` connector uses
 * `Path.glob`): `**` is any number of directories, `*` and `?` stay within one path segment,
 * `[abc]` is a character class. Dot files are not special.
 * @module
 */

/** Compiles a glob pattern into a RegExp that matches whole relative paths (`a/b/c.txt`). */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split("/").filter((segment) => segment !== "" && segment !== ".");
  let source = "";
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      // Zero or more whole directories; as the last segment, everything below.
      source += last ? ".*" : "(?:[^/]+/)*";
      return;
    }
    source += segmentSource(segment) + (last ? "" : "/");
  });
  return new RegExp(`^${source}$`, "u");
}

function segmentSource(segment: string): string {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else if (char === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end).replaceAll("\\", "\\\\");
      if (body.startsWith("!")) body = "^" + body.slice(1);
      out += `[${body}]`;
      i = end;
    } else out += char.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return out;
}
