import { createWriteStream } from "node:fs";
import { chmod, mkdir, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { LambdaPackageError } from "../../shared/errors";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Extracts what a seed-style packager added to $PACKAGE_ZIP into the staging
 * directory, so the final zip is written by our zipper (sorted, normalised,
 * reproducible) whatever tool the script used. Returns the number of entries.
 */
export async function extractPackageZip(zipFile: string, stagingDir: string): Promise<number> {
  const info = await stat(zipFile).catch(() => undefined);
  if (!info) return 0; // a script may delete the empty zip and write nothing
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipFile);
  } catch (error) {
    throw corrupt(zipFile, error);
  }
  try {
    let count = 0;
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      await extractEntry(zip, entry, stagingDir);
      count++;
    }
    return count;
  } catch (error) {
    throw error instanceof LambdaPackageError ? error : corrupt(zipFile, error);
  } finally {
    zip.close();
  }
}

function corrupt(zipFile: string, error: unknown): LambdaPackageError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LambdaPackageError(
    "PACKAGE_ZIP_CORRUPT",
    `The packager left $PACKAGE_ZIP (${zipFile}) unreadable: ${reason}. ` +
      `Add files with \`zip\` (or write them into $BUILD_DIR) and don't truncate the file.`,
    { cause: error },
  );
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // yauzl validates entry names: absolute paths and ".." segments are rejected.
    yauzl.open(
      file,
      { lazyEntries: true, strictFileNames: true, validateEntrySizes: true },
      (e, z) => (e ? reject(e) : resolve(z)),
    ),
  );
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => zip.removeAllListeners("entry").removeAllListeners("end");
    zip.once("error", reject);
    zip.once("entry", (entry: yauzl.Entry) => (cleanup(), resolve(entry)));
    zip.once("end", () => (cleanup(), resolve(undefined)));
    zip.readEntry();
  });
}

async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, root: string): Promise<void> {
  const target = path.join(root, entry.fileName);
  if (entry.fileName.endsWith("/")) {
    await mkdir(target, { recursive: true });
    return;
  }
  await mkdir(path.dirname(target), { recursive: true });
  // A later entry or an earlier staged file of the same name: the zip wins.
  await rm(target, { force: true, recursive: true });
  const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
  const stream = await openEntry(zip, entry);
  if ((mode & S_IFMT) === S_IFLNK) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    await symlink(Buffer.concat(chunks).toString("utf8"), target);
    return;
  }
  await pipeline(stream, createWriteStream(target));
  await chmod(target, mode & 0o111 ? 0o755 : 0o644);
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (e, s) => (e ? reject(e) : resolve(s))),
  );
}
