import zlib from "node:zlib";
import { LambdaPackageError } from "../../shared/errors";
import { escapeText, formatBytes } from "../../shared/format";
import { METHOD_DEFLATED, METHOD_STORED, SIG_LOCAL } from "../zip/format";
import type { ListedEntry } from "./read";
import type { RangedSource } from "./source";

/** Bytes of a local header before its name and extra field. */
const LOCAL_FIXED = 30;

/**
 * The uncompressed bytes of one small entry (a `RECORD`, a `package.json`),
 * read with two ranged reads: its local header, then its data. Entries of
 * more than `maxBytes` are refused before anything is allocated, so a zip
 * that claims a huge entry costs nothing; the CRC-32 is checked, so the
 * bytes are the entry's.
 *
 * @throws LambdaPackageError `ZIP_DIRECTORY_CORRUPT` naming the source and entry.
 */
export async function readEntryData(
  source: RangedSource,
  entry: ListedEntry,
  maxBytes: number,
): Promise<Buffer> {
  const name = escapeText(entry.name);
  if (entry.size > maxBytes || entry.compressedSize > maxBytes) {
    throw corrupt(
      source,
      `"${name}" claims ${formatBytes(Math.max(entry.size, entry.compressedSize))}, more than ` +
        `the ${formatBytes(maxBytes)} such a file takes`,
    );
  }
  if (entry.offset + LOCAL_FIXED > source.size) {
    throw corrupt(source, `the local header of "${name}" would lie past the end`);
  }
  const header = await source.read(entry.offset, LOCAL_FIXED);
  if (header.length !== LOCAL_FIXED || header.readUInt32LE(0) !== SIG_LOCAL) {
    throw corrupt(source, `no local header where the directory puts "${name}" (${entry.offset})`);
  }
  const start = entry.offset + LOCAL_FIXED + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > source.size) {
    throw corrupt(source, `the data of "${name}" would run past the end`);
  }
  const stored =
    entry.compressedSize === 0 ? Buffer.alloc(0) : await source.read(start, entry.compressedSize);
  let data: Buffer;
  try {
    if (entry.method === METHOD_STORED) data = stored;
    else if (entry.method === METHOD_DEFLATED)
      data = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) });
    else throw new Error(`compression method ${entry.method} is not deflate or stored`);
  } catch (error) {
    throw corrupt(source, `"${name}" cannot be inflated: ${(error as Error).message}`);
  }
  if (data.length !== entry.size || zlib.crc32(data) !== entry.crc32) {
    throw corrupt(source, `"${name}" does not match its size and CRC-32`);
  }
  return data;
}

function corrupt(source: RangedSource, why: string): LambdaPackageError {
  return new LambdaPackageError(
    "ZIP_DIRECTORY_CORRUPT",
    `${source.name} is damaged: ${why}. Rebuild or re-upload the zip; ` +
      "`unzip -t` on a local copy tells more.",
  );
}
