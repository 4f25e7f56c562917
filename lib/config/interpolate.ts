/** `${VAR}` and `${VAR:-default}` in string values, as the reference's EnvYAML does. */

/** Environment variables to read, e.g. `Deno.env.toObject()`. */
export type Env = Record<string, string | undefined>;

/** The interpolated text, or the names of variables that are unset and have no default. */
export type Interpolated = { value: string; missing?: undefined } | { missing: string[] };

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g;

/**
 * Replaces every `${VAR}` and `${VAR:-default}` in `text`. As in a shell, the default is used when the
 * variable is unset or empty; `$${` stands for a literal `${`.
 *
 * @example interpolateEnv("http://${HOST:-localhost}:9200", {}) // { value: "http://localhost:9200" }
 */
export function interpolateEnv(text: string, env: Env): Interpolated {
  const missing: string[] = [];
  const value = text.replace(
    PATTERN,
    (match, name?: string, hasDefault?: string, fallback?: string) => {
      if (match === "$${") return "${";
      const found = env[name!];
      if (found !== undefined && (found !== "" || hasDefault === undefined)) return found;
      if (hasDefault !== undefined) return fallback ?? "";
      missing.push(name!);
      return "";
    },
  );
  return missing.length > 0 ? { missing } : { value };
}
