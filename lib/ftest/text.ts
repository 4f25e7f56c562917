/**
 * Deterministic text of realistic sizes for ftest datasets, in the spirit of the reference's
 * weighted fake data: mostly short texts, some of tens of kilobytes, a few larger.
 * @module
 */
import type { Rng } from "./rng.ts";

const WORDS = (
  "the of and to in is that for it as with was on be by this are from at or an have not " +
  "data index search connector sync document field table row column bucket object file folder " +
  "customer order invoice product shipment payment account report meeting project release " +
  "elastic cluster shard replica query filter analyzer mapping pipeline schedule job status " +
  "quarterly revenue forecast budget summary review draft final archive note memo policy " +
  "north south east west river mountain garden harbor station market library museum bridge " +
  "quick brown fox jumps over lazy dog bright calm gentle rapid steady careful honest simple"
).split(" ");

/** A sentence of 6 to 18 words, capitalised, ending with a full stop. */
export function sentence(rng: Rng): string {
  const count = rng.int(6, 18);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(rng.pick(WORDS));
  const text = words.join(" ");
  return text[0].toUpperCase() + text.slice(1) + ".";
}

/** A paragraph of 2 to 6 sentences. */
export function paragraph(rng: Rng): string {
  const count = rng.int(2, 6);
  const sentences: string[] = [];
  for (let i = 0; i < count; i++) sentences.push(sentence(rng));
  return sentences.join(" ");
}

/** Text of about `bytes` characters (ASCII, so characters are bytes), whole paragraphs. */
export function textOfSize(rng: Rng, bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  // Large texts reuse a small pool of paragraphs: realistic enough, and fast to build.
  const pool = bytes > 4096 ? Array.from({ length: 32 }, () => paragraph(rng)) : undefined;
  while (length < bytes) {
    const next = pool ? rng.pick(pool) : paragraph(rng);
    parts.push(next);
    length += next.length + 2;
  }
  return parts.join("\n\n").slice(0, Math.max(bytes, 1));
}

/** Size classes of content and their weights. */
export type ContentMix = readonly { weight: number; min: number; max: number }[];

/** Files: mostly under 1 KB, a tenth of 10-100 KB, a few of 200-600 KB. */
export const FILE_MIX: ContentMix = [
  { weight: 0.88, min: 60, max: 1_000 },
  { weight: 0.10, min: 10_000, max: 100_000 },
  { weight: 0.02, min: 200_000, max: 600_000 },
];

/** Table rows: lighter than files, since rows are many. */
export const ROW_MIX: ContentMix = [
  { weight: 0.95, min: 20, max: 1_000 },
  { weight: 0.045, min: 10_000, max: 100_000 },
  { weight: 0.005, min: 200_000, max: 400_000 },
];

/** A text whose size is drawn from `mix` (default {@linkcode FILE_MIX}). */
export function contentText(rng: Rng, mix: ContentMix = FILE_MIX): string {
  let roll = rng.next();
  for (const size of mix) {
    if (roll < size.weight) return textOfSize(rng, rng.int(size.min, size.max));
    roll -= size.weight;
  }
  return textOfSize(rng, mix[0].max);
}

/** A lowercase slug of 1 to 3 words joined by `-`, for names. */
export function slug(rng: Rng): string {
  const count = rng.int(1, 3);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(rng.pick(WORDS));
  return words.join("-");
}
