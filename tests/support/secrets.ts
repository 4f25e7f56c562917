/**
 * Secrets of a test run, and the scan for them. `tests/run.ts` captures everything `deno test`
 * prints and fails the run when a known secret shows up: the servers' passwords and keys, plus
 * every secret a test registers here (API keys it creates, passwords it sets on connectors).
 * Registered secrets go to the file named by `CONNECTORS_TEST_SECRETS_FILE`, one JSON object a
 * line; without that variable (a test file run alone) registering only checks the value.
 *
 * @example
 * ```ts
 * const password = `pw-${crypto.randomUUID()}`;
 * await registerSecret("PostgreSQL connector password", password);
 * assertNoSecrets(result.stderr, "connectors sync's stderr");
 * ```
 * @module
 */

/** Env var naming the file tests append registered secrets to. */
export const SECRETS_FILE_ENV = "CONNECTORS_TEST_SECRETS_FILE";

/** Shorter values would match by chance: a test secret must be at least this long. */
export const MIN_SECRET_LENGTH = 8;

/** A secret and what it is, e.g. `{ kind: "Elasticsearch password", value: "..." }`. */
export interface KnownSecret {
  kind: string;
  value: string;
}

/** A secret found in output: its kind and the line it was on, with every secret masked. */
export interface Leak {
  kind: string;
  /** 1-based line number in the scanned text. */
  line: number;
  /** The line, secrets replaced by `***`, ANSI colours removed, cut to about 300 characters. */
  masked: string;
}

const registered: KnownSecret[] = [];

/**
 * Records a secret this test process created or uses, so the run-wide scan looks for it and
 * {@linkcode assertNoSecrets} checks it. Throws for values too short to scan for.
 */
export async function registerSecret(kind: string, value: string): Promise<void> {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `secret "${kind}" is ${value.length} characters long; use at least ${MIN_SECRET_LENGTH} ` +
        `so the scan cannot match it by chance`,
    );
  }
  registered.push({ kind, value });
  const file = Deno.env.get(SECRETS_FILE_ENV);
  if (file) {
    await Deno.writeTextFile(file, JSON.stringify({ kind, value }) + "\n", { append: true });
  }
}

/**
 * The secrets of the servers this run uses, from the `CONNECTORS_TEST_*` env vars: the
 * Elasticsearch password (also as a Basic authorization value), the PostgreSQL and MariaDB
 * passwords and the S3 secret key, when set.
 */
export function serverSecrets(env: Record<string, string | undefined>): KnownSecret[] {
  const secrets: KnownSecret[] = [];
  const esPassword = env.CONNECTORS_TEST_ES_PASSWORD;
  if (esPassword) {
    secrets.push({ kind: "Elasticsearch password", value: esPassword });
    const user = env.CONNECTORS_TEST_ES_USERNAME ?? "elastic";
    secrets.push({
      kind: "Elasticsearch password (as a Basic authorization header)",
      value: btoa(`${user}:${esPassword}`),
    });
  }
  for (const [name, kind] of [["PG", "PostgreSQL password"], ["MYSQL", "MariaDB password"]]) {
    const url = env[`CONNECTORS_TEST_${name}_URL`];
    const password = url ? decodeURIComponent(new URL(url).password) : "";
    if (password) secrets.push({ kind, value: password });
  }
  const s3Secret = env.CONNECTORS_TEST_S3_SECRET_KEY;
  if (s3Secret) secrets.push({ kind: "S3 secret access key", value: s3Secret });
  return secrets.filter((secret) => secret.value.length >= MIN_SECRET_LENGTH);
}

/** Reads the secrets tests registered in `path` (missing file: none). */
export async function readRegisteredSecrets(path: string): Promise<KnownSecret[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((line) => line.trim() !== "").map((line) =>
    JSON.parse(line) as KnownSecret
  );
}

/** Every line of `text` holding a secret, once per secret kind and line. */
export function findLeaks(text: string, secrets: readonly KnownSecret[]): Leak[] {
  const leaks: Leak[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const kinds = new Set(
      secrets.filter((secret) => line.includes(secret.value)).map((secret) => secret.kind),
    );
    for (const kind of kinds) {
      leaks.push({ kind, line: index + 1, masked: maskSecrets(line, secrets) });
    }
  }
  return leaks;
}

/** `line` with every secret replaced by `***`, ANSI colours removed, cut around the first. */
export function maskSecrets(line: string, secrets: readonly KnownSecret[]): string {
  // Longest first, so a secret containing another is masked whole.
  const values = secrets.map((secret) => secret.value).sort((a, b) => b.length - a.length);
  // deno-lint-ignore no-control-regex
  let masked = line.replace(/\x1b\[[0-9;]*m/g, "");
  for (const value of values) masked = masked.replaceAll(value, "***");
  const at = Math.max(0, masked.indexOf("***") - 150);
  const cut = masked.slice(at, at + 300);
  return (at > 0 ? "..." : "") + cut + (at + 300 < masked.length ? "..." : "");
}

/**
 * Fails when `text` contains a secret registered in this process or one of the run's server
 * secrets; the message names the kind and shows the line masked, never the secret.
 */
export function assertNoSecrets(text: string, where: string): void {
  const leaks = findLeaks(text, [...registered, ...serverSecrets(Deno.env.toObject())]);
  if (leaks.length === 0) return;
  const shown = leaks.slice(0, 5).map((leak) => `  ${leak.kind}: ${leak.masked}`).join("\n");
  throw new Error(`${where} shows ${leaks.length} secret(s):\n${shown}`);
}
