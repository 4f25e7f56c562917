/**
 * Ids for the connector and job documents this service creates. Elasticsearch's own ids are
 * URL-safe base64 and may start with `-`, which a command line reads as an option
 * (`connectors job view -Xy...`); ours have the same shape and never start with `-` or `_`.
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Letters and digits: what the first character may be. */
const FIRST = 62;
const LENGTH = 20;

/** A new random document id: 20 URL-safe characters, the first a letter or digit. */
export function newDocumentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  let id = ALPHABET[bytes[0] % FIRST];
  for (const byte of bytes.subarray(1)) id += ALPHABET[byte & 63];
  return id;
}
