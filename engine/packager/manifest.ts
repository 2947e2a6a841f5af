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
 * `#` starts a comment. No file, no source: seed-style scripts are unchanged.
 */
import { readFile } from "node:fs/promises";
import { LambdaPackageError } from "../../shared/errors";

/** The file's name in the work dir; `$SOURCE_MANIFEST` is its absolute path. */
export const SOURCE_MANIFEST_FILE = "source.manifest";

export interface SourceManifest {
  /** Package prefixes the source goes under: "" for the root, else ending in "/". */
  readonly includes: readonly string[];
  /** Gitignore-style patterns over paths in the source. */
  readonly excludes: readonly string[];
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
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") return;
    const [directive, ...rest] = line.split(/\s+/);
    const value = rest.join(" ");
    if (directive === "include" && rest.length <= 1)
      includes.push(prefixOf(value || ".", file, index));
    else if (directive === "exclude" && value !== "") excludes.push(value);
    else throw invalid(file, index, raw, 'lines are "include <dir>" or "exclude <pattern>"');
  });
  return { includes: [...new Set(includes)], excludes };
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
