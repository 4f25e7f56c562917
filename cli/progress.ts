/**
 * Progress on the terminal: one status line on stderr, redrawn in place with `\r` and ESC[2K
 * (erase line), that log lines and other output pass above without breaking it. Off a
 * terminal nothing is drawn: the sync logs a progress line every 10 s instead.
 *
 * An own module rather than an npm package: `log-update` works under Deno, but it writes
 * through Node's `process.stderr` while our logger writes synchronously to `Deno.stderr`, and
 * its `signal-exit` dependency re-raises SIGINT, which made our graceful-stop handler fire
 * twice (the second signal means "exit now"). One line needs only the two escape codes.
 * @module
 */
import { configureLogging, writeLineToStderr, writeStderr } from "../lib/log/mod.ts";
import {
  describeProgress,
  PROGRESS_LOG_INTERVAL_MS,
  progressLine,
  type ProgressSnapshot,
  type SyncProgress,
} from "../lib/sync/mod.ts";

/** Carriage return, then erase the whole line. */
const CLEAR_LINE = "\r\x1b[2K";
/** How often the live line is redrawn. */
export const REDRAW_MS = 250;
/** How often `--progress json` prints a snapshot. */
export const JSON_PROGRESS_MS = 1_000;

/** Whether stderr is a terminal that can redraw a line (not `TERM=dumb`). */
export function stderrIsLive(): boolean {
  return Deno.stderr.isTerminal() && Deno.env.get("TERM") !== "dumb";
}

/** The terminal's width, 80 when it cannot be read. */
function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/** Options of {@linkcode LiveLine}; tests replace the terminal. */
export interface LiveLineOptions {
  write?: (text: string) => void;
  columns?: () => number;
}

/**
 * A status line redrawn in place. While it is started, log lines are routed through
 * {@linkcode LiveLine.above}: the line is cleared, the log line printed, the line redrawn.
 */
export class LiveLine {
  readonly #write: (text: string) => void;
  readonly #columns: () => number;
  #text = "";
  #drawn = false;
  #started = false;

  constructor(options: LiveLineOptions = {}) {
    this.#write = options.write ?? writeStderr;
    this.#columns = options.columns ?? terminalColumns;
  }

  /** Routes log lines above the status line. */
  start(): void {
    this.#started = true;
    configureLogging({ write: (line) => this.above(() => this.#write(`${line}\n`)) });
  }

  /** Shows `text` (cut to the terminal's width so it never wraps); nothing if unchanged. */
  show(text: string): void {
    const line = fit(text, this.#columns());
    if (this.#drawn && line === this.#text) return;
    this.#text = line;
    this.#write(`${CLEAR_LINE}${line}`);
    this.#drawn = true;
  }

  /** Clears the line, runs `print` (which writes whole lines), and draws the line again. */
  above(print: () => void): void {
    if (this.#drawn) this.#write(CLEAR_LINE);
    print();
    if (this.#drawn) this.#write(this.#text);
  }

  /** Erases the line until the next {@linkcode LiveLine.show}. */
  hide(): void {
    if (this.#drawn) this.#write(CLEAR_LINE);
    this.#drawn = false;
  }

  /** Erases the line and gives log lines back to stderr. */
  stop(): void {
    if (this.#drawn) this.#write(CLEAR_LINE);
    this.#drawn = false;
    if (this.#started) configureLogging({ write: writeLineToStderr });
    this.#started = false;
  }
}

/** `text` cut to `columns - 1` characters, so the cursor never wraps to a new line. */
export function fit(text: string, columns: number): string {
  const width = Math.max(10, columns - 1);
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

/** How `connectors sync` reports progress (`--progress`). */
export type ProgressMode = "auto" | "json";

/** A running progress report; `stop` ends it and leaves the terminal clean. */
export interface ProgressReport {
  stop(): void;
}

/**
 * Starts reporting `progress`: `json` prints `{"progress": {...}}` on stderr every second (for
 * wrappers such as `connectors ftest`); `auto` draws the live line when stderr is a terminal
 * (`progress.shownLive` must then be true, so the sync does not log it too) and otherwise
 * leaves it to the sync's periodic log line.
 */
export function reportProgress(
  progress: SyncProgress,
  options: { mode: ProgressMode; line?: LiveLine },
): ProgressReport {
  if (options.mode === "json") {
    const write = () => writeStderr(`${progressLine(progress.snapshot())}\n`);
    const timer = setInterval(write, JSON_PROGRESS_MS);
    // The last line is the final state, also for a sync shorter than one interval.
    return {
      stop: () => {
        clearInterval(timer);
        write();
      },
    };
  }
  if (!progress.shownLive) return { stop: () => {} };
  const line = options.line ?? new LiveLine();
  line.start();
  const draw = () => line.show(describeProgress(progress.snapshot()));
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  return {
    stop: () => {
      clearInterval(timer);
      line.stop();
    },
  };
}

/**
 * Progress of something that is not in this process (a child `connectors sync`): a live line
 * on a terminal, else a log line at most every 10 s. `update(null)` says it ended.
 */
export class RemoteProgress {
  readonly #line?: LiveLine;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  #lastLogged: number;

  constructor(
    options: { live: boolean; log: (line: string) => void; line?: LiveLine; now?: () => number },
  ) {
    this.#line = options.live ? options.line ?? new LiveLine() : undefined;
    this.#line?.start();
    this.#log = options.log;
    this.#now = options.now ?? (() => performance.now());
    this.#lastLogged = this.#now();
  }

  /** Shows `snapshot`, or clears the line when the work ended (null). */
  update(snapshot: ProgressSnapshot | null): void {
    if (this.#line) {
      if (snapshot) this.#line.show(describeProgress(snapshot));
      else this.#line.hide();
      return;
    }
    if (!snapshot || this.#now() - this.#lastLogged < PROGRESS_LOG_INTERVAL_MS) return;
    this.#lastLogged = this.#now();
    this.#log(describeProgress(snapshot));
  }

  /** Prints whole lines (`print`) above the live line. */
  above(print: () => void): void {
    if (this.#line) this.#line.above(print);
    else print();
  }

  /** Clears the line and gives log lines back to stderr. */
  stop(): void {
    this.#line?.stop();
  }
}
