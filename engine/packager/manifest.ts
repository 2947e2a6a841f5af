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
 *   from /abs/path/archive    the file the next entry lines read from, in the work dir
 *   entry 0 1042 644 a/b.js   <size> bytes at <offset> of it, mode 644 or 755, as this path
 *
 * `#` starts a comment. No file, no source: seed-style scripts are unchanged.
 */
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { hasUnsafeCharacter, show } from "../../shared/format";

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

/** One line of the manifest, as read. */
export type ManifestLine =
  | { readonly include: string }
  | { readonly exclude: string }
  | { readonly from: string }
  | {
      readonly entry: string;
      readonly offset: number;
      readonly size: number;
      readonly executable: boolean;
    };

/**
 * The manifest the packager wrote in `workDir` (the build's work directory,
 * which holds `file`), or undefined when it wrote none. A `from` archive must
 * be a file of `workDir`: the packager's output, not any file this process can
 * read.
 */
export async function readSourceManifest(
  file: string,
  workDir: string,
): Promise<SourceManifest | undefined> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const includes: string[] = [];
  const excludes: string[] = [];
  const entries: ListedEntry[] = [];
  const archives = new Map<string, number>();
  let archive: string | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = parseLine(raw.replace(/\r$/, ""));
    if (line === undefined) return;
    if ("rule" in line) throw invalid(file, index, raw, line.rule);
    if ("include" in line) includes.push(prefixOf(line.include, file, index));
    else if ("exclude" in line) excludes.push(line.exclude);
    else if ("from" in line) {
      if (!isWithin(line.from, workDir)) throw invalid(file, index, raw, outsideRule(workDir));
      archive = line.from;
      if (!archives.has(archive)) archives.set(archive, index);
    } else {
      if (archive === undefined)
        throw invalid(file, index, raw, 'an "entry" line needs a "from <archive>" line before it');
      const { entry: name, offset, size, executable } = line;
      entries.push({ name, archive, offset, size, executable });
    }
  });
  // Through links too: a link in the work dir to a file elsewhere is that file.
  const realWorkDir = await realpath(workDir);
  for (const [listed, index] of archives) {
    const real = await realpath(listed).catch(() => undefined);
    // A missing archive is stage's to report (listed.ts), with what the packager must do.
    if (real !== undefined && !isWithin(real, realWorkDir)) {
      throw invalid(file, index, `from ${listed}`, `${outsideRule(workDir)}; it leads to ${real}`);
    }
  }
  return { includes: [...new Set(includes)], excludes, entries };
}

/**
 * A line for the manifest. Values are written as they are, so one that would
 * not read back as itself (a line break or other control character, a
 * leading space, a ` #` that starts a comment) is refused with an Error:
 * no name a packager was handed can add or change a line.
 */
export function manifestLine(line: ManifestLine): string {
  let text: string;
  let value: string;
  if ("include" in line) text = `include ${(value = line.include)}`;
  else if ("exclude" in line) text = `exclude ${(value = line.exclude)}`;
  else if ("from" in line) text = `from ${(value = line.from)}`;
  else {
    const mode = line.executable ? "755" : "644";
    text = `entry ${line.offset} ${line.size} ${mode} ${(value = line.entry)}`;
  }
  const read = hasUnsafeCharacter(text) ? undefined : parseLine(text);
  if (read === undefined || canonical(read) !== canonical(line)) {
    throw new Error(
      `${show(value)} cannot be a line of $SOURCE_MANIFEST: it would not read back as ` +
        `itself (see "Including the source" in packagers/README.md)`,
    );
  }
  return text;
}

function canonical(line: object): string {
  return JSON.stringify(Object.entries(line).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A line's meaning; undefined for a blank or comment line; `rule` for one it breaks. */
function parseLine(raw: string): ManifestLine | { readonly rule: string } | undefined {
  // An entry's path is the rest of its line, spaces and all; a comment cannot follow it.
  const entry = /^entry (\d+) (\d+) (644|755) (.+)$/.exec(raw);
  if (entry) {
    const [offset, size] = [Number(entry[1]), Number(entry[2])];
    if (!Number.isSafeInteger(offset + size))
      return { rule: "the offset and size must be byte counts" };
    return { entry: entry[4], offset, size, executable: entry[3] === "755" };
  }
  const line = raw.replace(/(^|\s)#.*$/, "").trim();
  if (line === "") return undefined;
  const [directive, ...rest] = line.split(/\s+/);
  const value = rest.join(" ");
  if (directive === "include" && rest.length <= 1) return { include: value || "." };
  if (directive === "exclude" && value !== "") return { exclude: value };
  if (directive === "from" && path.isAbsolute(value)) return { from: value };
  return {
    rule:
      'lines are "include <dir>", "exclude <pattern>", "from <absolute path>" or ' +
      '"entry <offset> <size> <644|755> <path>"',
  };
}

function outsideRule(workDir: string): string {
  return (
    `an archive must be a file the packager wrote in the build's work directory (${workDir}, ` +
    `which holds $SOURCE_MANIFEST)`
  );
}

/** Whether `file` is inside `dir` (not `dir` itself), by their paths. */
function isWithin(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
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
