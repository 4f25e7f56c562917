/**
 * The cached Elasticsearch distribution: Maven Central's integ-test-zip, unzipped once, with the
 * test-only analysis-shim plugin (tests/harness/analysis-shim) built and installed into it.
 * The plugin's sources come embedded (analysis_shim_sources.ts), so a compiled binary can build
 * it too.
 * @module
 */

import { ANALYSIS_SHIM_SOURCES } from "./analysis_shim_sources.ts";
import { cacheRoot, exists, prepareOnce } from "./cache.ts";
import { jdkTool } from "./java.ts";
import { isRoot, run } from "./process.ts";

/** Elasticsearch version used when `CONNECTORS_ES_VERSION` is unset. */
export const DEFAULT_ES_VERSION = "8.19.7";

/** Options for {@linkcode ensureDistribution}. */
export interface DistributionOptions {
  version: string;
  javaHome: string;
}

/**
 * Returns the home of a runnable distribution for `version`, downloading, unzipping and adding
 * the analysis shim on first use.
 */
export async function ensureDistribution(options: DistributionOptions): Promise<string> {
  const { version, javaHome } = options;
  const zip = await ensureZip(version);
  const shimHash = await hashSources(ANALYSIS_SHIM_SOURCES);
  const dir = await distributionDir();
  return await prepareOnce({
    target: `${dir}/elasticsearch-${version}-shim-${shimHash}`,
    build: async (home) => {
      await unpack({ zip, into: home.slice(0, home.lastIndexOf("/")), javaHome });
      await Deno.rename(`${home.slice(0, home.lastIndexOf("/"))}/elasticsearch-${version}`, home);
      await installShim({ home, version, javaHome });
      // The server runs as `nobody` when we are root: everything must be world-readable.
      await run(["chmod", "-R", "a+rX", home]);
    },
  });
}

async function ensureZip(version: string): Promise<string> {
  const dir = `${cacheRoot()}/elasticsearch`;
  const artifact = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip`;
  return await prepareOnce({
    target: `${dir}/elasticsearch-${version}.zip`,
    build: async (output) => {
      const downloads = output.slice(0, output.lastIndexOf("/"));
      try {
        await run([
          "mvn",
          "-q",
          "dependency:copy",
          `-Dartifact=${artifact}`,
          `-DoutputDirectory=${downloads}`,
        ]);
      } catch (error) {
        throw new Error(
          `cannot download ${artifact} with mvn (is Maven installed and Maven Central reachable?): ${
            (error as Error).message
          }`,
        );
      }
    },
  });
}

/**
 * Where unpacked distributions live. Under root the server runs as `nobody`, which cannot enter
 * a cache under a private home such as /root; then a world-readable directory is used instead.
 */
async function distributionDir(): Promise<string> {
  const preferred = `${cacheRoot()}/elasticsearch`;
  if (!isRoot() || await traversableByAll(preferred)) return preferred;
  return "/var/tmp/connectors-cache/elasticsearch";
}

async function traversableByAll(path: string): Promise<boolean> {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = "/" + parts.slice(0, i).join("/");
    if (!(await exists(prefix))) return true;
    const { mode } = await Deno.stat(prefix);
    if (mode !== null && (mode & 0o001) === 0) return false;
  }
  return true;
}

interface UnpackOptions {
  zip: string;
  into: string;
  javaHome: string;
}

async function unpack({ zip, into, javaHome }: UnpackOptions): Promise<void> {
  if (await onPath("unzip")) {
    await run(["unzip", "-q", zip, "-d", into]);
    return;
  }
  await run([await jdkTool(javaHome, "jar"), "xf", zip], { cwd: into });
  // `jar xf` drops the executable bits of the launch scripts.
  await run(["sh", "-c", "chmod a+x */bin/* */modules/*/bin/* 2>/dev/null || true"], {
    cwd: into,
  });
}

interface ShimOptions {
  home: string;
  version: string;
  javaHome: string;
}

async function installShim({ home, version, javaHome }: ShimOptions): Promise<void> {
  const build = await Deno.makeTempDir({ prefix: "analysis-shim-" });
  try {
    const sources: string[] = [];
    for (const [path, text] of Object.entries(ANALYSIS_SHIM_SOURCES)) {
      if (!path.endsWith(".java")) continue;
      const file = `${build}/src/${path}`;
      await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(file, text);
      sources.push(file);
    }
    await run([
      await jdkTool(javaHome, "javac"),
      "--release",
      "17",
      "-nowarn",
      "-cp",
      `${home}/lib/*`,
      "-d",
      `${build}/classes`,
      ...sources,
    ]);
    const plugin = `${home}/plugins/analysis-shim`;
    await Deno.mkdir(plugin, { recursive: true });
    await run([
      await jdkTool(javaHome, "jar"),
      "cf",
      `${plugin}/analysis-shim.jar`,
      "-C",
      `${build}/classes`,
      ".",
    ]);
    const descriptor = ANALYSIS_SHIM_SOURCES["plugin-descriptor.properties"];
    await Deno.writeTextFile(
      `${plugin}/plugin-descriptor.properties`,
      descriptor.replaceAll("@ELASTICSEARCH_VERSION@", version),
    );
  } finally {
    await Deno.remove(build, { recursive: true });
  }
}

/** Short content hash of the plugin's files, so an edited plugin gets a fresh distribution. */
async function hashSources(sources: Readonly<Record<string, string>>): Promise<string> {
  const parts: string[] = [];
  for (const path of Object.keys(sources).sort()) parts.push(path, sources[path]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest).slice(0, 6), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function onPath(tool: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && await exists(`${dir}/${tool}`)) return true;
  }
  return false;
}
