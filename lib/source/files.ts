/**
 * Helpers for connectors that sync files (dir, s3, ...): which files get their content
 * downloaded, and the reference's id hashing.
 * @module
 */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";

/** Extensions whose content the reference sends to extraction (Tika's list), lowercase. */
export const EXTRACTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  ".txt",
  ".py",
  ".rst",
  ".html",
  ".markdown",
  ".json",
  ".xml",
  ".csv",
  ".md",
  ".ppt",
  ".rtf",
  ".docx",
  ".odt",
  ".xls",
  ".xlsx",
  ".rb",
  ".paper",
  ".sh",
  ".pptx",
  ".pdf",
  ".doc",
  ".aspx",
  ".xlsb",
  ".xlsm",
  ".tsv",
  ".svg",
  ".msg",
  ".potx",
  ".vsd",
  ".vsdx",
  ".vsdm",
]); // deno-fmt-ignore

/** The extension of a file name including the dot, lowercase; "" when there is none. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

/** Why a file's content is not downloaded, or null when it should be. */
export function skipDownloadReason(
  options: { name: string; size: number; maxFileSize: number },
): string | null {
  const extension = extensionOf(options.name);
  if (!EXTRACTABLE_EXTENSIONS.has(extension)) {
    return `extension "${extension}" is not extractable`;
  }
  if (options.size > options.maxFileSize) {
    return `size ${options.size} bytes is over service.max_file_download_size ${options.maxFileSize}`;
  }
  return null;
}

/** md5 hex of a string, the reference's id for files. */
export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** Base64 of bytes, as the `_attachment` field expects. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
