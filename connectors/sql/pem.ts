/**
 * Repairs PEM text pasted into a single-line field, where newlines arrived as spaces.
 * @module
 */

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Rebuilds each `-----BEGIN X----- … -----END X-----` block with the base64 body on its own
 * lines, whether the body was separated by spaces or by newlines.
 *
 * @example
 * ```ts
 * repairPem("-----BEGIN CERTIFICATE----- MIIB AbC= -----END CERTIFICATE-----");
 * // "-----BEGIN CERTIFICATE-----\nMIIB\nAbC=\n-----END CERTIFICATE-----\n"
 * ```
 */
export function repairPem(text: string): string {
  const blocks = [...text.matchAll(BLOCK)].map(([, label, body]) => {
    const lines = body.split(/\s+/).filter((line) => line.length > 0);
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
  });
  return blocks.length > 0 ? blocks.join("") : text.trim();
}
