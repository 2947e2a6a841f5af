/**
 * The audit of a zip that is already built (the CLI's `audit <zip>`): its
 * entries are listed from the central directory, and only the candidates'
 * bytes are inflated, one entry at a time, into memory.
 */
import yauzl from "yauzl";
import { LambdaPackageError } from "../../shared/errors";
import { formatBytes } from "../../shared/format";
import { MAX_UNZIPPED_BYTES } from "../stage/limits";
import type { Auditor } from "./auditor";
import { bufferSource } from "./bytes";
import { nextEntry } from "../zip/entries";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Feeds every file entry of `zipFile` to `auditor`. */
export async function auditZipEntries(zipFile: string, auditor: Auditor): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(
      zipFile,
      { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true },
      (error, opened) => (error ? reject(unreadable(zipFile, error)) : resolve(opened)),
    ),
  );
  try {
    const failure = (error: Error) => unreadable(zipFile, error);
    for (let entry = await nextEntry(zip, failure); entry; entry = await nextEntry(zip, failure)) {
      if (entry.fileName.endsWith("/")) continue;
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      // A symlink entry holds a path, not code; the file it names is an entry of its own.
      if ((mode & S_IFMT) === S_IFLNK) continue;
      if (!auditor.wants(entry.fileName, (mode & 0o111) !== 0)) continue;
      auditor.inspect(entry.fileName, bufferSource(await contents(zip, entry, zipFile)));
    }
  } finally {
    zip.close();
  }
}

async function contents(zip: yauzl.ZipFile, entry: yauzl.Entry, zipFile: string): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_UNZIPPED_BYTES) {
    throw new LambdaPackageError(
      "AUDIT_UNREADABLE",
      `${zipFile} has an entry "${entry.fileName}" of ${formatBytes(entry.uncompressedSize)}, ` +
        `more than Lambda's ${formatBytes(MAX_UNZIPPED_BYTES)} for a whole package: it is not a ` +
        `Lambda package. Audit the directory it was made from instead.`,
    );
  }
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (error) {
    throw unreadable(zipFile, error, entry.fileName);
  }
}

function unreadable(zipFile: string, error: unknown, entry?: string): LambdaPackageError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LambdaPackageError(
    "AUDIT_UNREADABLE",
    `Cannot read ${zipFile} as a zip${entry ? ` at entry "${entry}"` : ""}: ${reason}. ` +
      `Give the audit a Lambda package zip or the directory it was made from.`,
    { cause: error },
  );
}
