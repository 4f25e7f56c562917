/**
 * SIGINT/SIGTERM as an AbortSignal, so the daemon or a one-off sync stops cleanly; a hard deadline makes sure the
 * process exits even if something ignores the signal.
 * @module
 */

/** What {@linkcode stopOnSignals} returns. */
export interface SignalStop {
  signal: AbortSignal;
  /** Which signal arrived, once one has. */
  received(): Deno.Signal | undefined;
  /** Removes the listeners (call when the command is done). */
  dispose(): void;
}

/**
 * Aborts the returned signal on the first SIGINT or SIGTERM; exits with 128 + signal number
 * `graceSeconds` later if the process is still alive, or at once on a second signal.
 */
export function stopOnSignals(options: { graceSeconds: number }): SignalStop {
  const controller = new AbortController();
  let received: Deno.Signal | undefined;
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((name) => {
    const handler = () => {
      const code = name === "SIGINT" ? 130 : 143;
      if (received) Deno.exit(code);
      received = name;
      controller.abort(new DOMException(`stopped by ${name}`, "AbortError"));
      const timer = setTimeout(() => {
        console.error(`connectors: still running ${options.graceSeconds} s after ${name}; exiting`);
        Deno.exit(code);
      }, options.graceSeconds * 1000);
      Deno.unrefTimer(timer);
    };
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      for (const [name, handler] of handlers) Deno.removeSignalListener(name, handler);
    },
  };
}
