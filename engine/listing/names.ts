import zlib from "node:zlib";
import { FLAG_UTF8 } from "../zip/format";

/** Header id of Info-ZIP's Unicode Path extra field: a UTF-8 name for a header whose own is not marked UTF-8. */
const EXTRA_UNICODE_PATH = 0x7075;

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes 0x80-0xFF in IBM code page 437, the zip spec's default for names without the UTF-8 flag. */
const CP437_HIGH =
  "\u00c7\u00fc\u00e9\u00e2\u00e4\u00e0\u00e5\u00e7\u00ea\u00eb\u00e8\u00ef\u00ee\u00ec\u00c4\u00c5" +
  "\u00c9\u00e6\u00c6\u00f4\u00f6\u00f2\u00fb\u00f9\u00ff\u00d6\u00dc\u00a2\u00a3\u00a5\u20a7\u0192" +
  "\u00e1\u00ed\u00f3\u00fa\u00f1\u00d1\u00aa\u00ba\u00bf\u2310\u00ac\u00bd\u00bc\u00a1\u00ab\u00bb" +
  "\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510" +
  "\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567" +
  "\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580" +
  "\u03b1\u00df\u0393\u03c0\u03a3\u03c3\u00b5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229" +
  "\u2261\u00b1\u2265\u2264\u2320\u2321\u00f7\u2248\u00b0\u2219\u00b7\u221a\u207f\u00b2\u25a0\u00a0";

/** `bytes` read as code page 437. */
export function decodeCp437(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes)
    text += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return text;
}

/**
 * An entry's name as the zip means it: UTF-8 when the header says so; else
 * Info-ZIP's Unicode Path field when it is there and was made for this very
 * name (its CRC-32 matches); else UTF-8 when the bytes are valid UTF-8, as
 * Info-ZIP's `zip` on Linux writes names without saying so, and `unzip`
 * shows them; else code page 437, the spec's default. So a file named
 * `café.txt` has one name in a zip from `zip` and in one of ours, and a
 * diff of the two does not report it as removed and added.
 */
export function entryName(raw: Buffer, flags: number, extra: Buffer): string {
  if (flags & FLAG_UTF8) return raw.toString("utf8");
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const body = extra.subarray(at + 4, at + 4 + length);
    if (id === EXTRA_UNICODE_PATH && body.length >= 5 && body[0] === 1) {
      if (body.readUInt32LE(1) === zlib.crc32(raw)) return body.subarray(5).toString("utf8");
    }
    at += 4 + length;
  }
  try {
    return STRICT_UTF8.decode(raw);
  } catch {
    return decodeCp437(raw);
  }
}
