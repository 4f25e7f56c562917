/**
 * Whether the daemon can do its work now, for `/readyz`: its loops run and Elasticsearch
 * answers. Elasticsearch is probed at most once per `cacheMs` however often `/readyz` is asked;
 * concurrent checks share one probe.
 *
 * @example
 * ```ts
 * const readiness = new Readiness({ probe: (signal) => pingElasticsearch(es, signal) });
 * readiness.setState("running");
 * const { ready, reason } = await readiness.check();
 * ```
 * @module
 */

/** Where the daemon is: start-up checks, loops running, or shutting down. */
export type ServiceState = "starting" | "running" | "stopping";

/** Options of {@linkcode Readiness}. */
export interface ReadinessOptions {
  /** Resolves when Elasticsearch answers; rejects with why not. Must honour `signal`. */
  probe(signal: AbortSignal): Promise<void>;
  /** How long a probe's outcome is reused, in ms (default 2000). */
  cacheMs?: number;
  /** How long a probe may take before it counts as failed, in ms (default 2000). */
  timeoutMs?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** The outcome of a readiness check; `reason` is one short line. */
export interface ReadinessReport {
  ready: boolean;
  reason: string;
}

const STATE_REASONS: Record<Exclude<ServiceState, "running">, string> = {
  starting: "starting: waiting for Elasticsearch and the connector indices",
  stopping: "stopping: running jobs are being suspended",
};

/** See the module docs. */
export class Readiness {
  readonly #probe: ReadinessOptions["probe"];
  readonly #cacheMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #state: ServiceState = "starting";
  #last?: { at: number; problem: Promise<string | undefined> };

  constructor(options: ReadinessOptions) {
    this.#probe = options.probe;
    this.#cacheMs = options.cacheMs ?? 2_000;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  /** Where the daemon is now. */
  get state(): ServiceState {
    return this.#state;
  }

  /** Moves the daemon to `state`. */
  setState(state: ServiceState): void {
    this.#state = state;
  }

  /** Ready when the loops run and Elasticsearch answered the latest probe. */
  async check(): Promise<ReadinessReport> {
    if (this.#state !== "running") return { ready: false, reason: STATE_REASONS[this.#state] };
    const problem = await this.#elasticsearchProblem();
    if (this.#state !== "running") return { ready: false, reason: STATE_REASONS[this.#state] };
    if (problem !== undefined) {
      return { ready: false, reason: `Elasticsearch does not answer: ${problem}` };
    }
    return { ready: true, reason: "ready" };
  }

  #elasticsearchProblem(): Promise<string | undefined> {
    const now = this.#now();
    if (this.#last && now - this.#last.at < this.#cacheMs) return this.#last.problem;
    const problem = this.#runProbe();
    this.#last = { at: now, problem };
    return problem;
  }

  async #runProbe(): Promise<string | undefined> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    try {
      await this.#probe(timeout);
      return undefined;
    } catch (error) {
      if (timeout.aborted) return `no answer within ${this.#timeoutMs / 1000} s`;
      return error instanceof Error ? error.message : String(error);
    }
  }
}
