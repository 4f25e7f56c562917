/**
 * What an ftest prints: one timed line per step, failed checks as expected versus actual, a
 * human summary, and the summary as one JSON object (the last line of output).
 * @module
 */

/** The machine-readable result, printed as the last line of output. */
export interface FtestSummary {
  connector: string;
  size: string;
  /** Documents the dataset put into the source. */
  loaded: number;
  /** Documents the first sync indexed (its job's `indexed_document_count`). */
  indexed: number;
  /** Documents the second sync deleted (its job's `deleted_document_count`). */
  deleted: number;
  /** `indexed` divided by the first sync's wall time, in seconds. */
  docs_per_sec: number;
  /** Highest resident memory of either sync process, in MiB. */
  peak_rss_mb: number;
  ok: boolean;
}

/** A check that did not hold. */
export interface CheckFailure {
  /** What was checked, e.g. "documents in search-ftest-dir-x after the first sync". */
  what: string;
  expected: unknown;
  actual: unknown;
}

/** One line for a failed check: `FAILED <what>: expected <x>, got <y>`. */
export function describeFailure(failure: CheckFailure): string {
  return `FAILED ${failure.what}: expected ${show(failure.expected)}, got ${show(failure.actual)}`;
}

/** Seconds with one decimal, e.g. `12.3 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A value for a message: JSON, cut to 200 characters. */
function show(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}... (${text.length} characters)` : text;
}

/** Prints steps with their duration; a thrown error ends the step as failed. */
export class StepPrinter {
  readonly #print: (line: string) => void;
  #number = 0;

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  /** Prints a line as is. */
  line(text: string): void {
    this.#print(text);
  }

  /**
   * Runs one step and prints `[n] <name>: <detail> (<time>)`; `run` returns the detail. A
   * failing step prints `[n] <name>: failed (<time>)` and rethrows.
   */
  async step<T>(name: string, run: () => Promise<{ value: T; detail: string }>): Promise<T> {
    const number = ++this.#number;
    const started = performance.now();
    try {
      const { value, detail } = await run();
      this.#print(`[${number}] ${name}: ${detail} (${seconds(performance.now() - started)})`);
      return value;
    } catch (error) {
      this.#print(`[${number}] ${name}: failed (${seconds(performance.now() - started)})`);
      throw error;
    }
  }
}

/** Thrown by a step that cannot go on; its message is printed as is, never a stack trace. */
export class FtestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FtestError";
  }
}

/** The message of any error. */
export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
