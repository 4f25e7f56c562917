/**
 * Free TCP ports on the loopback interface for throwaway servers.
 * @module
 */

/**
 * Asks the kernel for a free port on 127.0.0.1 and releases it for the caller to bind.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return Promise.resolve(port);
}
