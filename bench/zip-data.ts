import { readFile } from "node:fs/promises";

/**
 * Sum of the compressed sizes of a zip's file entries: the deflate output
 * alone, without headers or the directory entries `zip -r` adds, so two
 * compressors can be compared on compression alone. Classic zips only.
 */
export async function entryDataSize(zipFile: string): Promise<number> {
  const zip = await readFile(zipFile);
  const eocd = zip.lastIndexOf(Buffer.from("504b0506", "hex"));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error(`${zipFile} needs zip64 parsing`);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (!name.endsWith("/")) total += zip.readUInt32LE(at + 20);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}
