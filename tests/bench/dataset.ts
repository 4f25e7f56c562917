/**
 * The bench's data: a PostgreSQL table of rows of about 1 KB in ten mixed-type columns, loaded
 * with `COPY FROM STDIN` through `psql`, the nightly change (1% updated, 1% deleted), and a
 * directory of small text files. Generation is seeded, so every run syncs the same data.
 * @module
 */

/** How `psql` reaches the bench's PostgreSQL. */
export interface PsqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The table the bench syncs. */
export const BENCH_TABLE = "bench_rows";

/** Ten columns: the types users' tables are made of. */
const CREATE_TABLE = `
DROP TABLE IF EXISTS ${BENCH_TABLE};
CREATE TABLE ${BENCH_TABLE} (
  id bigint PRIMARY KEY,
  sku uuid NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  price numeric(12, 2) NOT NULL,
  quantity integer NOT NULL,
  rating double precision,
  in_stock boolean NOT NULL,
  created_at timestamptz NOT NULL,
  attributes jsonb NOT NULL
);`;

/** Rows per write to psql's stdin: big enough to keep the pipe busy, small in memory. */
const ROWS_PER_WRITE = 2000;

/** Characters of prose in `body`, which makes most of a row's kilobyte. */
const BODY_CHARS = 760;

/** A small, fast, seeded PRNG (mulberry32): the same rows on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  "ka",
  "lo",
  "mer",
  "ti",
  "san",
  "do",
  "ve",
  "ri",
  "pa",
  "nu",
  "gel",
  "or",
  "an",
  "si",
  "ba",
  "tro",
  "che",
  "mi",
  "lu",
  "fen",
];

/** A vocabulary of pronounceable words, so `body` analyses like text, not like hex. */
function vocabulary(random: () => number, size: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < size; i++) {
    let word = "";
    const syllables = 1 + Math.floor(random() * 3);
    for (let s = 0; s < syllables; s++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.push(word);
  }
  return words;
}

/** Row generator: `row(id)` returns one line of COPY text format (no tabs or backslashes inside values). */
export function rowWriter(seed = 42): (id: number) => string {
  const random = seededRandom(seed);
  const words = vocabulary(random, 5000);
  const word = () => words[Math.floor(random() * words.length)];
  const hex = (digits: number) => {
    let text = "";
    while (text.length < digits) text += Math.floor(random() * 0x100000000).toString(16);
    return text.slice(0, digits);
  };
  const start = Date.UTC(2015, 0, 1);
  return (id) => {
    let title = word();
    for (let i = 0; i < 4; i++) title += " " + word();
    let body = word();
    while (body.length < BODY_CHARS) body += (random() < 0.08 ? ". " : " ") + word();
    const sku = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    const price = (random() * 10_000).toFixed(2);
    const quantity = Math.floor(random() * 1000);
    const rating = random() < 0.1 ? "\\N" : (random() * 5).toFixed(3);
    const inStock = random() < 0.7 ? "t" : "f";
    const created = new Date(start + Math.floor(random() * 3e11)).toISOString();
    const attributes = JSON.stringify({
      color: word(),
      size: ["S", "M", "L", "XL"][Math.floor(random() * 4)],
      weight_g: Math.floor(random() * 5000),
      tags: [word(), word(), word()],
    });
    return `${id}\t${sku}\t${title}\t${body}\t${price}\t${quantity}\t${rating}\t${inStock}\t${created}\t${attributes}\n`;
  };
}

/** psql's options that reach `target`; the password travels in the environment. */
function connectionArgs(target: PsqlTarget): string[] {
  return ["-h", target.host, "-p", String(target.port), "-U", target.user, "-d", target.database];
}

/** Runs `psql` with the SQL in `-c`, optionally feeding `input` to its stdin; throws with its stderr. */
async function psql(
  target: PsqlTarget,
  options: { sql: string; input?: AsyncIterable<Uint8Array> },
): Promise<string> {
  const child = new Deno.Command("psql", {
    args: [
      "-X",
      "-q",
      "-t",
      "-A",
      "-v",
      "ON_ERROR_STOP=1",
      ...connectionArgs(target),
      "-c",
      options.sql,
    ],
    env: { PGPASSWORD: target.password },
    stdin: options.input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writing = options.input
    ? (async () => {
      const writer = child.stdin.getWriter();
      for await (const chunk of options.input!) await writer.write(chunk);
      await writer.close();
    })()
    : Promise.resolve();
  const [output] = await Promise.all([child.output(), writing]);
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(`psql ${options.sql.trim().split("\n")[0]}: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}

async function* copyLines(rows: number, seed: number): AsyncIterable<Uint8Array> {
  const row = rowWriter(seed);
  const encoder = new TextEncoder();
  for (let first = 1; first <= rows; first += ROWS_PER_WRITE) {
    let text = "";
    for (let id = first; id < Math.min(first + ROWS_PER_WRITE, rows + 1); id++) text += row(id);
    yield encoder.encode(text);
  }
}

/**
 * Creates {@linkcode BENCH_TABLE} with `rows` rows (ids 1..rows) and analyses it.
 *
 * @example
 * ```ts
 * await createBenchTable(pg, { rows: 100_000 });
 * ```
 */
export async function createBenchTable(
  target: PsqlTarget,
  options: { rows: number; seed?: number },
): Promise<void> {
  await psql(target, { sql: CREATE_TABLE });
  await psql(target, {
    sql: `COPY ${BENCH_TABLE} FROM STDIN`,
    input: copyLines(options.rows, options.seed ?? 42),
  });
  await psql(target, { sql: `VACUUM ANALYZE ${BENCH_TABLE}` });
}

/** What {@linkcode applyNightlyChange} did. */
export interface NightlyChange {
  updated: number;
  deleted: number;
  remaining: number;
}

/** Updates 1% of the rows (ids ≡ 1 mod 100) and deletes another 1% (ids ≡ 2 mod 100). */
export async function applyNightlyChange(target: PsqlTarget): Promise<NightlyChange> {
  const out = await psql(target, {
    sql: `
WITH updated AS (
  UPDATE ${BENCH_TABLE} SET title = title || ' (revised)', quantity = quantity + 1,
    attributes = jsonb_set(attributes, '{revised}', 'true')
  WHERE id % 100 = 1 RETURNING 1
), deleted AS (
  DELETE FROM ${BENCH_TABLE} WHERE id % 100 = 2 RETURNING 1
)
SELECT (SELECT count(*) FROM updated) || ' ' || (SELECT count(*) FROM deleted)`,
  });
  const [updated, deleted] = out.trim().split(" ").map(Number);
  const count = await psql(target, { sql: `SELECT count(*) FROM ${BENCH_TABLE}` });
  return { updated, deleted, remaining: Number(count.trim()) };
}

/** The table of the warm-up sync: the first rows of {@linkcode BENCH_TABLE}, same columns. */
export const WARMUP_TABLE = "bench_warmup";

/** Creates {@linkcode WARMUP_TABLE} from the first `rows` rows of the bench table. */
export async function createWarmupTable(target: PsqlTarget, rows: number): Promise<void> {
  await psql(target, {
    sql: `DROP TABLE IF EXISTS ${WARMUP_TABLE};
CREATE TABLE ${WARMUP_TABLE} AS SELECT * FROM ${BENCH_TABLE} WHERE id <= ${rows};
ALTER TABLE ${WARMUP_TABLE} ADD PRIMARY KEY (id);`,
  });
}

/**
 * The postmaster's pid (first line of `postmaster.pid` in the data directory): its CPU
 * counters include every backend that has exited, such as a finished sync's connections.
 */
export async function postmasterPid(target: PsqlTarget): Promise<number> {
  const dataDir = (await psql(target, { sql: "SHOW data_directory" })).trim();
  const text = await Deno.readTextFile(`${dataDir}/postmaster.pid`);
  return Number(text.split("\n")[0]);
}

/** Seconds `COPY (SELECT * FROM table) TO STDOUT` takes with the output discarded: the source's floor. */
export async function timeRawRead(target: PsqlTarget): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command("psql", {
    args: [
      "-X",
      ...connectionArgs(target),
      "-c",
      `COPY (SELECT * FROM ${BENCH_TABLE}) TO STDOUT`,
    ],
    env: { PGPASSWORD: target.password },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`psql COPY TO STDOUT: ${new TextDecoder().decode(output.stderr)}`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * Writes `files` small text files (100 to 2000 bytes of prose) into `dir`, 100 per
 * subdirectory, and returns their total size in bytes.
 */
export async function createSmallFiles(
  dir: string,
  options: { files: number; seed?: number },
): Promise<number> {
  const random = seededRandom(options.seed ?? 7);
  const words = vocabulary(random, 2000);
  let bytes = 0;
  for (let i = 0; i < options.files; i++) {
    const sub = `${dir}/d${String(Math.floor(i / 100)).padStart(4, "0")}`;
    if (i % 100 === 0) await Deno.mkdir(sub, { recursive: true });
    const target = 100 + Math.floor(random() * 1900);
    let text = "";
    while (text.length < target) text += words[Math.floor(random() * words.length)] + " ";
    await Deno.writeTextFile(`${sub}/note_${i}.txt`, text);
    bytes += text.length;
  }
  return bytes;
}
