/**
 * The source manifest: how a packager asks for the source directory to go
 * into the package as it is, read in place, instead of copying it into
 * BUILD_DIR (copying a 15,000-file tree costs more than zipping it). The
 * packager writes lines to the file `$SOURCE_MANIFEST` names:
 *
 *   include .                 the source at the package root
 *   include python            … or under python/ (a layer)
 *   exclude node_modules/     a gitignore pattern over source paths, left out
 *
 * It can also list files that are ranges of a file the packager wrote (such
 * as the contents of npm's tarballs, unpacked into one file rather than into
 * thousands): the engine zips them as if they were files of BUILD_DIR.
 *
 *   from /abs/path/archive    the file the next entry lines read from
 *   entry 0 1042 644 a/b.js   <size> bytes at <offset> of it, mode 644 or 755, as this path
 *
 * `#` starts a comment. No file, no source: seed-style scripts are unchanged.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";

/** The file's name in the work dir; `$SOURCE_MANIFEST` is its absolute path. */
export const SOURCE_MANIFEST_FILE = "source.manifest";

export interface SourceManifest {
  /** Package prefixes the source goes under: "" for the root, else ending in "/". */
  readonly includes: readonly string[];
  /** Gitignore-style patterns over paths in the source. */
  readonly excludes: readonly string[];
  /** Files listed as ranges of archives the packager wrote, in the order listed. */
  readonly entries: readonly ListedEntry[];
}

/** A file of the package whose bytes are a range of an archive. */
export interface ListedEntry {
  /** Path inside the package, as listed. */
  readonly name: string;
  /** Absolute path of the archive. */
  readonly archive: string;
  readonly offset: number;
  readonly size: number;
  readonly executable: boolean;
}

/** The manifest the packager wrote, or undefined when it wrote none. */
export async function readSourceManifest(file: string): Promise<SourceManifest | undefined> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const includes: string[] = [];
  const excludes: string[] = [];
  const entries: ListedEntry[] = [];
  let archive: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    // An entry's path is the rest of its line, spaces and all; a comment cannot follow it.
    const entry = /^entry (\d+) (\d+) (644|755) (.+)$/.exec(raw);
    if (entry) {
      if (archive === undefined)
        throw invalid(file, index, raw, 'an "entry" line needs a "from <archive>" line before it');
      const [offset, size] = [Number(entry[1]), Number(entry[2])];
      if (!Number.isSafeInteger(offset + size))
        throw invalid(file, index, raw, "the offset and size must be byte counts");
      entries.push({ name: entry[4], archive, offset, size, executable: entry[3] === "755" });
      return;
    }
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") return;
    const [directive, ...rest] = line.split(/\s+/);
    const value = rest.join(" ");
    if (directive === "include" && rest.length <= 1)
      includes.push(prefixOf(value || ".", file, index));
    else if (directive === "exclude" && value !== "") excludes.push(value);
    else if (directive === "from" && path.isAbsolute(value)) archive = value;
    else
      throw invalid(
        file,
        index,
        raw,
        'lines are "include <dir>", "exclude <pattern>", "from <absolute path>" or ' +
          '"entry <offset> <size> <644|755> <path>"',
      );
  });
  return { includes: [...new Set(includes)], excludes, entries };
}

function prefixOf(dir: string, file: string, index: number): string {
  const parts = dir.split("/").filter((part) => part !== "" && part !== ".");
  if (dir.startsWith("/") || parts.includes(".."))
    throw invalid(file, index, `include ${dir}`, "the directory must be inside the package");
  return parts.length ? `${parts.join("/")}/` : "";
}

function invalid(file: string, index: number, line: string, rule: string): LambdaPackageError {
  return new LambdaPackageError(
    "SOURCE_MANIFEST_INVALID",
    `The packager wrote "${line.trim()}" on line ${index + 1} of $SOURCE_MANIFEST (${file}); ` +
      `${rule}. See "Including the source" in packagers/README.md.`,
  );
}
