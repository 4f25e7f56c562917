/**
 * Locating the JDK that runs Elasticsearch and builds its test plugin.
 * @module
 */

/**
 * The Java home for Elasticsearch: `ES_JAVA_HOME`, else `JAVA_HOME`, else the JDK that owns the
 * `java` found on PATH (symlinks resolved).
 */
export async function findJavaHome(): Promise<string> {
  const fromEnv = Deno.env.get("ES_JAVA_HOME") || Deno.env.get("JAVA_HOME");
  if (fromEnv) return fromEnv;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      const java = await Deno.realPath(`${dir}/java`);
      if (java.endsWith("/bin/java")) return java.slice(0, -"/bin/java".length);
    } catch {
      // Not in this PATH entry.
    }
  }
  throw new Error(
    "no Java found: set ES_JAVA_HOME (or JAVA_HOME) to a JDK 17+ home, e.g. /usr/lib/jvm/java-17-openjdk-amd64",
  );
}

/** Path of a JDK tool (`javac`, `jar`) in `javaHome`, falling back to the bare name on PATH. */
export async function jdkTool(javaHome: string, tool: string): Promise<string> {
  const path = `${javaHome}/bin/${tool}`;
  try {
    await Deno.stat(path);
    return path;
  } catch {
    return tool;
  }
}
