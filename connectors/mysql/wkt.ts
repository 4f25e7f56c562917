/**
 * MySQL's internal geometry value (4-byte SRID + WKB) as WKT text, the same text
 * `ST_AsText()` prints, e.g. `POINT(1.5 -2)` or `POLYGON((0 0,1 0,1 1,0 0))`.
 * @module
 */

const NAMES = [
  "",
  "POINT",
  "LINESTRING",
  "POLYGON",
  "MULTIPOINT",
  "MULTILINESTRING",
  "MULTIPOLYGON",
  "GEOMETRYCOLLECTION",
];

/**
 * WKT for a geometry value as the server sends it; throws on bytes that are not one.
 *
 * @example
 * ```ts
 * geometryToWkt(bytes); // "POINT(1 2)"
 * ```
 */
export function geometryToWkt(value: Uint8Array): string {
  const reader = new WkbReader(value, 4); // Skips the SRID.
  const text = reader.geometry();
  if (reader.offset !== value.length) throw new Error("geometry value has trailing bytes");
  return text;
}

function tagged({ type, body }: { type: number; body: string }): string {
  return body === "EMPTY" ? `${NAMES[type]} EMPTY` : `${NAMES[type]}(${body})`;
}

class WkbReader {
  readonly #view: DataView;
  offset: number;
  #littleEndian = true;

  constructor(bytes: Uint8Array, offset: number) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  geometry(): string {
    return tagged(this.#typed());
  }

  /** The geometry's type and its text between the outer parentheses. */
  #typed(): { type: number; body: string } {
    this.#littleEndian = this.#view.getUint8(this.offset) === 1;
    this.offset += 1;
    const type = this.#uint32();
    switch (type) {
      case 1:
        return { type, body: this.#point() };
      case 2:
        return { type, body: this.#points() };
      case 3:
        return { type, body: this.#rings() };
      case 4:
      case 5:
      case 6:
      case 7: {
        const parts = this.#repeat(() => {
          const part = this.#typed();
          return type === 7 ? tagged(part) : type === 4 ? part.body : `(${part.body})`;
        });
        return { type, body: parts === "" ? "EMPTY" : parts };
      }
      default:
        throw new Error(`unknown WKB geometry type ${type}`);
    }
  }

  #point(): string {
    const x = this.#view.getFloat64(this.offset, this.#littleEndian);
    const y = this.#view.getFloat64(this.offset + 8, this.#littleEndian);
    this.offset += 16;
    return `${x} ${y}`;
  }

  #points(): string {
    return this.#repeat(() => this.#point());
  }

  #rings(): string {
    return this.#repeat(() => `(${this.#points()})`);
  }

  #repeat(read: () => string): string {
    const count = this.#uint32();
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(read());
    return parts.join(",");
  }

  #uint32(): number {
    const value = this.#view.getUint32(this.offset, this.#littleEndian);
    this.offset += 4;
    return value;
  }
}
