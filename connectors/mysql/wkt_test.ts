import assert from "node:assert/strict";
import { geometryToWkt } from "./wkt.ts";

/** SRID 0 + little-endian WKB built from parts. */
function geometry(...parts: (["u8", number] | ["u32", number] | ["f64", number])[]): Uint8Array {
  const size = 4 +
    parts.reduce((sum, [kind]) => sum + (kind === "u8" ? 1 : kind === "u32" ? 4 : 8), 0);
  const view = new DataView(new ArrayBuffer(size));
  let offset = 4;
  for (const [kind, value] of parts) {
    if (kind === "u8") view.setUint8(offset, value), offset += 1;
    else if (kind === "u32") view.setUint32(offset, value, true), offset += 4;
    else view.setFloat64(offset, value, true), offset += 8;
  }
  return new Uint8Array(view.buffer);
}

Deno.test("geometryToWkt prints points, lines and empty collections like ST_AsText", () => {
  assert.equal(
    geometryToWkt(geometry(["u8", 1], ["u32", 1], ["f64", 1.5], ["f64", -2])),
    "POINT(1.5 -2)",
  );
  assert.equal(
    geometryToWkt(
      geometry(["u8", 1], ["u32", 2], ["u32", 2], ["f64", 0], ["f64", 0], ["f64", 1], ["f64", 1]),
    ),
    "LINESTRING(0 0,1 1)",
  );
  assert.equal(
    geometryToWkt(geometry(["u8", 1], ["u32", 7], ["u32", 0])),
    "GEOMETRYCOLLECTION EMPTY",
  );
  assert.throws(
    () => geometryToWkt(geometry(["u8", 1], ["u32", 99])),
    /unknown WKB geometry type 99/,
  );
});
