/**
 * Random passwords for throwaway servers.
 * @module
 */

/** A random 24-character alphanumeric password (safe in URLs and config files). */
export function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "x");
}
