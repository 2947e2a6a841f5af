/**
 * What a seed-style packager added to $PACKAGE_ZIP, taken into the staged
 * tree so the final zip is written by our zipper (sorted, normalised,
 * reproducible) whatever tool the script used.
 *
 * The zip is not trusted. Everything its central directory declares is
 * checked before a byte is written: names (no absolute paths, no "..", no
 * duplicates), kinds, and the declared sizes against Lambda's limit. Then
 * files are written without ever following a link: every directory on the
 * way must be a real directory, files are opened with O_NOFOLLOW, and bytes
 * are counted as they are written (declared sizes can lie). Symlink entries
 * are made last, only when their target stays inside the package, so no
 * later write can go through them.
 */
import { closeSync, constants } from "node:fs";
import { lstat, mkdir, open, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { LambdaPackageError } from "../../shared/errors";
import { escapeText, formatBytes } from "../../shared/format";
import { MAX_UNZIPPED_BYTES } from "./limits";
import { nextEntry } from "../zip/entries";
import { CENTRAL_FIXED } from "../zip/format";
import { MAX_DIRECTORY_BYTES, openRegularFile } from "../listing";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** A symlink's target is a short path; anything longer is not one. */
const MAX_LINK_TARGET = 4096;

interface Planned {
  readonly entry: yauzl.Entry;
  /** The entry's path without a trailing "/". */
  readonly name: string;
  readonly kind: "directory" | "file" | "symlink";
}

/**
 * Extracts $PACKAGE_ZIP into `stagingDir` (an entry wins over a staged file
 * of the same name); returns the number of entries. `limit` bounds the bytes
 * it may write.
 */
export async function extractPackageZip(
  zipFile: string,
  stagingDir: string,
  limit = MAX_UNZIPPED_BYTES,
): Promise<number> {
  const info = await lstat(zipFile).catch(() => undefined);
  if (!info) return 0; // a script may delete the empty zip and write nothing
  let opened: { fd: number; size: number };
  try {
    // A FIFO left as $PACKAGE_ZIP would make a plain open wait for a writer forever.
    opened = await openRegularFile(zipFile);
  } catch (error) {
    throw unreadable(zipFile, error);
  }
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(opened.fd);
  } catch (error) {
    // yauzl takes the fd only with a ZipFile: before that, closing it is ours.
    closeSync(opened.fd);
    throw unreadable(zipFile, error);
  }
  try {
    assertDirectoryFits(zip, zipFile, opened.size);
    const planned = await plan(zip, zipFile, limit);
    const budget = { left: limit };
    const links: { name: string; target: string }[] = [];
    for (const item of planned) {
      if (item.kind === "directory") await directory(stagingDir, item.name, zipFile);
      else if (item.kind === "file") await file(zip, item, stagingDir, zipFile, budget);
      else links.push({ name: item.name, target: await linkTarget(zip, item.entry) });
    }
    for (const link of links) await makeLink(stagingDir, link, zipFile);
    return planned.length;
  } finally {
    // Closes the fd once no entry stream is left reading it.
    zip.close();
  }
}

/**
 * The end record's entry count against what the file can hold: every entry
 * takes a central header of CENTRAL_FIXED bytes at least, so a count that
 * needs more than the file's real size, or than MAX_DIRECTORY_BYTES, is a
 * lie, refused before any entry is read.
 */
function assertDirectoryFits(zip: yauzl.ZipFile, zipFile: string, size: number): void {
  const needed = zip.entryCount * CENTRAL_FIXED;
  if (needed > size || needed > MAX_DIRECTORY_BYTES) {
    throw refused(
      zipFile,
      `claims ${zip.entryCount} entries, whose central directory would take at least ` +
        `${formatBytes(needed)}, more than ${
          needed > size
            ? `the file's own ${formatBytes(size)}`
            : `the ${formatBytes(MAX_DIRECTORY_BYTES)} any package needs`
        }; nothing was extracted`,
      "Rebuild it with a zip tool and don't write past its end",
    );
  }
}

/** Reads the central directory and refuses what must not be extracted, before any write. */
async function plan(zip: yauzl.ZipFile, zipFile: string, limit: number): Promise<Planned[]> {
  const planned: Planned[] = [];
  const seen = new Set<string>();
  let declared = 0;
  const failure = (error: Error) => unreadable(zipFile, error);
  for (let entry = await nextEntry(zip, failure); entry; entry = await nextEntry(zip, failure)) {
    const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
    const isDirectory = entry.fileName.endsWith("/");
    const name = entry.fileName.replace(/\/+$/, "");
    const kind = isDirectory ? "directory" : (mode & S_IFMT) === S_IFLNK ? "symlink" : "file";
    if (seen.has(name)) {
      throw refused(
        zipFile,
        `holds "${escapeText(name)}" twice${isDirectory ? " (as a directory and a file)" : ""}; nothing was extracted`,
        "Add each path once",
      );
    }
    seen.add(name);
    declared += entry.uncompressedSize;
    if (declared > limit) {
      throw new LambdaPackageError(
        "PACKAGE_TOO_LARGE",
        `$PACKAGE_ZIP (${zipFile}) declares more than ${formatBytes(limit)} of files (at entry ` +
          `"${escapeText(name)}"); Lambda allows at most ${formatBytes(MAX_UNZIPPED_BYTES)} unzipped. Nothing ` +
          `was extracted. Add less to it, or move dependencies to a layer.`,
      );
    }
    planned.push({ entry, name, kind });
  }
  return planned;
}

/**
 * Makes `name` and its parents under `root`, each a real directory, never a
 * link; `entry` is the zip entry that needs it, for messages.
 */
async function directory(
  root: string,
  name: string,
  zipFile: string,
  entry = name,
): Promise<string> {
  let at = root;
  for (const part of name.split("/")) {
    at = path.join(at, part);
    const info = await lstat(at).catch(() => undefined);
    if (!info) {
      await mkdir(at);
    } else if (info.isSymbolicLink()) {
      throw refused(
        zipFile,
        `has "${escapeText(entry)}", which would be written through the symlink "${escapeText(path.relative(root, at))}" ` +
          `in the staged tree`,
        "Put the files where the link points, or drop the link",
      );
    } else if (!info.isDirectory()) {
      throw refused(
        zipFile,
        `has "${escapeText(entry)}", which needs "${escapeText(path.relative(root, at))}" to be a directory, but it is a file`,
        "Rename one of them",
      );
    }
  }
  return at;
}

async function file(
  zip: yauzl.ZipFile,
  item: Planned,
  root: string,
  zipFile: string,
  budget: { left: number },
): Promise<void> {
  const parent = path.posix.dirname(item.name);
  const dir = parent === "." ? root : await directory(root, parent, zipFile, item.name);
  const target = path.join(dir, path.posix.basename(item.name));
  // A file the packager staged under the same name: the zip wins. rm removes a
  // link itself, never what it points at.
  await rm(target, { recursive: true, force: true });
  const mode = (item.entry.externalFileAttributes >>> 16) & 0o111 ? 0o755 : 0o644;
  const handle = await open(
    target,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      budget.left -= chunk.length;
      if (budget.left < 0) {
        done(
          new LambdaPackageError(
            "PACKAGE_TOO_LARGE",
            `$PACKAGE_ZIP (${zipFile}) expands past ${formatBytes(MAX_UNZIPPED_BYTES)} at entry ` +
              `"${escapeText(item.name)}", more than its central directory declares; Lambda allows at most ` +
              `${formatBytes(MAX_UNZIPPED_BYTES)} unzipped. Extraction stopped.`,
          ),
        );
      } else done(null, chunk);
    },
  });
  try {
    const bytes = await openEntry(zip, item.entry, zipFile).catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    // The handle's own stream closes it when done or destroyed.
    await pipeline(bytes, counter, handle.createWriteStream());
  } catch (error) {
    if (error instanceof LambdaPackageError) throw error;
    throw unreadable(zipFile, error, item.name);
  }
}

async function linkTarget(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of await openEntry(zip, entry, "")) {
    length += (chunk as Buffer).length;
    if (length > MAX_LINK_TARGET) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A symlink entry, made only when it points inside the package; the walk then follows it. */
async function makeLink(
  root: string,
  link: { name: string; target: string },
  zipFile: string,
): Promise<void> {
  const resolved = path.posix.normalize(
    path.posix.join(path.posix.dirname(link.name), link.target),
  );
  if (path.posix.isAbsolute(link.target) || resolved === ".." || resolved.startsWith("../")) {
    throw new LambdaPackageError(
      "SYMLINK_ESCAPES",
      `$PACKAGE_ZIP (${zipFile}) has "${escapeText(link.name)}", a symlink to "${escapeText(link.target)}", which is ` +
        `outside the package; it was not extracted. Add the file it points at instead (zip ` +
        `without -y stores the file, not the link).`,
    );
  }
  const parent = path.posix.dirname(link.name);
  const dir = parent === "." ? root : await directory(root, parent, zipFile, link.name);
  const at = path.join(dir, path.posix.basename(link.name));
  await rm(at, { recursive: true, force: true });
  await symlink(link.target, at);
}

function refused(zipFile: string, what: string, fix: string): LambdaPackageError {
  return new LambdaPackageError(
    "PACKAGE_ZIP_CORRUPT",
    `$PACKAGE_ZIP (${zipFile}) ${what}. ${fix}.`,
  );
}

/** yauzl's name checks, said as what they found; anything else is a damaged file. */
function unreadable(zipFile: string, error: unknown, entry?: string): LambdaPackageError {
  const reason = error instanceof Error ? error.message : String(error);
  const name = /^(absolute path|invalid relative path): (.*)$/.exec(reason);
  if (name) {
    const what =
      name[1] === "absolute path" ? "an absolute path" : 'a path that climbs out with ".."';
    return refused(
      zipFile,
      `has an entry "${escapeText(name[2])}", ${what}`,
      "Add files by relative paths inside the package",
    );
  }
  if (entry && /^too (many|few) bytes in the stream/.test(reason)) {
    return refused(
      zipFile,
      `has an entry "${escapeText(entry)}" that holds other than the size its headers declare (${reason}); ` +
        `extraction stopped there`,
      "Rebuild it with a zip tool",
    );
  }
  return new LambdaPackageError(
    "PACKAGE_ZIP_CORRUPT",
    `The packager left $PACKAGE_ZIP (${zipFile}) unreadable${entry ? ` at entry "${escapeText(entry)}"` : ""}: ` +
      `${reason}. Add files with \`zip\` (or write them into $BUILD_DIR) and don't truncate the file.`,
    { cause: error },
  );
}

/** yauzl on an fd of ours, which its ZipFile closes on `close()`. */
function openZip(fd: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromFd(
      fd,
      { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true },
      (e, z) => (e ? reject(e) : resolve(z)),
    ),
  );
}

function openEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  zipFile: string,
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (e, s) =>
      e ? reject(unreadable(zipFile, e, entry.fileName)) : resolve(s),
    ),
  );
}
