import { createHash } from "node:crypto";
import { existsSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { runGitBatchSync } from "./bridge";
import { GitCommandFailed, runGit } from "./run";
import { changedPaths, statusArgs, uncommittedDigest, under } from "./uncommitted";

/** Options of `gitSourceKey`. */
export interface GitSourceKeyOptions {
  /**
   * Directory the paths are relative to; it must lie in a git work tree.
   * @default process.cwd(), the Pulumi program's working directory
   */
  readonly cwd?: string;
  /**
   * Whether uncommitted changes under the paths (modified, staged, deleted,
   * untracked and not ignored) change the key, which then ends in `-dirty`.
   * Finding out costs one `git status`, which compares every tracked file's
   * stat data with the index: about as long as `git status` takes on those
   * paths. `false` skips it, so the cost is one git call whatever the tree's
   * size, for CI checkouts that are clean by construction; a local edit then
   * does not change the key until it is committed.
   * @default true
   */
  readonly includeUncommitted?: boolean;
}

/** Hex digits of the committed part of a key: 160 bits, as many as a SHA-1 commit id. */
const KEY_HEX = 40;
/** Bumped if what is digested ever changes, so an old key can never match a new one by accident. */
const KEY_VERSION = "git-source-key 1";

/**
 * A `sourceKey` that changes exactly when the content under `paths` changes:
 * `git:<40 hex>`, a SHA-256 of the git tree (or blob) ids of the paths at
 * `HEAD`, with `-<16 hex>-dirty` added when they hold uncommitted changes.
 *
 * Give the function's directory and the shared code it uses, e.g.
 * `gitSourceKey(["services/api", "libs/shared"])`. A commit elsewhere in the
 * repository leaves the key alone; a different branch, commit or checkout
 * path with the same content under the paths gives the same key; reverting
 * to an earlier tree gives the earlier key. Git's own object ids are used, so
 * no file is read for a clean tree: one `git rev-parse`, plus one `git status`
 * to know that it is clean (see `includeUncommitted`), run in one shell so
 * that the program is forked once.
 *
 * Synchronous, so it goes straight into a resource's args.
 *
 * @param paths One path or several, files or directories, relative to `cwd`
 *   (absolute paths are fine too); each must be in `HEAD`'s tree.
 * @returns Printable ASCII, e.g. `git:3f1c…e9a0` or `git:3f1c…e9a0-5b2d…7c11-dirty`.
 * @throws LambdaPackageError `GIT_NOT_FOUND` (no git on PATH), `GIT_NOT_A_WORK_TREE`,
 *   `GIT_NO_COMMIT`, `GIT_PATH_NOT_FOUND` (neither on disk nor in `HEAD`),
 *   `GIT_PATH_NOT_TRACKED` (on disk but not committed, or outside the work tree),
 *   `GIT_FAILED`; each names the path or directory and what to do.
 */
export function gitSourceKey(
  paths: string | readonly string[],
  options: GitSourceKeyOptions = {},
): string {
  return sourceKeys([paths], options, "gitSourceKey")[0];
}

/**
 * `gitSourceKey` for many functions at once: the same keys, from one shell
 * running two git calls in all instead of one per function. Each process
 * started from a Pulumi program costs a fork of its whole memory (about 10 ms at 300 MB,
 * against 2 ms from a small process), so a stack of 50 functions keyed one
 * by one spends half a second of every `preview` forking; keyed together, 10 ms.
 * All keys are taken at one instant, from one `git status`.
 *
 * @param functions The paths of each function by a name of yours, e.g.
 *   `{ api: ["services/api", "libs/shared"], worker: "services/worker" }`.
 * @returns The key of each, by the same names.
 * @throws LambdaPackageError as `gitSourceKey` does, for the first path that fails.
 */
export function gitSourceKeys<Name extends string>(
  functions: Readonly<Record<Name, string | readonly string[]>>,
  options: GitSourceKeyOptions = {},
): Record<Name, string> {
  const names = Object.keys(functions) as Name[];
  if (names.length === 0) return {} as Record<Name, string>;
  const keys = sourceKeys(
    names.map((name) => functions[name]),
    options,
    "gitSourceKeys",
  );
  return Object.fromEntries(names.map((name, i) => [name, keys[i]])) as Record<Name, string>;
}

/** The key of each set of paths: one rev-parse of all of them, then one status of all. */
function sourceKeys(
  sets: readonly (string | readonly string[])[],
  options: GitSourceKeyOptions,
  caller: string,
): string[] {
  const cwd = workingDirectory(options.cwd, caller);
  const relativeSets = sets.map((paths) => relativePaths(paths, cwd, caller));
  const relative = [...new Set(relativeSets.flat())];
  const revisions = relative.map((p) => revision(p, caller));
  const revParse = ["rev-parse", ...revisions, "--show-prefix", "--show-toplevel"];
  const uncommitted = options.includeUncommitted !== false;
  let output: string;
  let status = "";
  try {
    // Both questions in one shell, started by a small process rather than this one (./bridge.ts):
    // from a Pulumi program, a fork of its whole memory would be most of a key's cost. There the
    // rev-parse is answered from a `git cat-file` kept running (./from-objects.ts): one process a key.
    if (uncommitted)
      [output, status] = runGitBatchSync([revParse, statusArgs(relative, cwd)], { cwd });
    else [output] = runGitBatchSync([revParse], { cwd });
  } catch (error) {
    if (!(error instanceof GitCommandFailed)) throw error;
    if (error.args[0] === "rev-parse") throw diagnose(error, cwd, relative, caller);
    throw new LambdaPackageError(
      "GIT_FAILED",
      `${caller}: git status failed in ${cwd}: ${error.stderr.trim()}. Run ` +
        "`git status` there to see why, or pass `includeUncommitted: false`.",
      { cause: error },
    );
  }
  // The ids come first, one hex line each; the prefix and top after them may hold line breaks.
  const lines = output.split("\n");
  const ids = new Map(relative.map((p, i) => [p, lines[i]]));
  const { top, prefix } = whereIs(cwd, lines.slice(relative.length).join("\n"));
  const keys = relativeSets.map((set) => {
    const entries = new Map(set.map((p) => [inRepository(prefix, p), ids.get(p)!]));
    const digest = createHash("sha256").update(`${KEY_VERSION}\n`);
    for (const name of [...entries.keys()].sort()) digest.update(`${name}\0${entries.get(name)}\n`);
    return { key: `git:${digest.digest("hex").slice(0, KEY_HEX)}`, paths: [...entries.keys()] };
  });
  if (!uncommitted) return keys.map(({ key }) => key);
  const changed = changedPaths(status);
  return keys.map(({ key, paths }) => {
    const uncommitted = uncommittedDigest(top, under(changed, paths));
    return uncommitted === undefined ? key : `${key}-${uncommitted}-dirty`;
  });
}

/**
 * The top and prefix from `<prefix>\n<top>\n`, either of which may hold line
 * breaks: the split is the one where the top joined with the prefix is `cwd`.
 */
function whereIs(cwd: string, text: string): { top: string; prefix: string } {
  const body = text.replace(/\n$/, "");
  const real = realpathSync(cwd);
  for (let at = body.indexOf("\n"); at >= 0; at = body.indexOf("\n", at + 1)) {
    const prefix = body.slice(0, at);
    const top = body.slice(at + 1);
    if (path.join(top, prefix) === path.join(real, "/") || path.join(top, prefix) === real)
      return { top, prefix };
  }
  const [prefix, ...rest] = body.split("\n");
  return { top: rest.join("\n"), prefix };
}

function workingDirectory(cwd: string | undefined, caller: string): string {
  const dir = path.resolve(cwd ?? process.cwd());
  let directory = false;
  try {
    directory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!directory) {
    throw new LambdaPackageError(
      "BAD_CWD",
      `${caller}: cwd "${dir}" is not a directory. Give the directory the paths are relative ` +
        "to, inside a git work tree.",
      { field: "cwd" },
    );
  }
  return dir;
}

/** The paths relative to `cwd`, with forward slashes: how git takes `HEAD:./<path>`. */
function relativePaths(paths: string | readonly string[], cwd: string, caller: string): string[] {
  const list = typeof paths === "string" ? [paths] : [...paths];
  if (list.length === 0 || list.some((p) => typeof p !== "string" || p.trim() === "")) {
    throw new LambdaPackageError(
      "BAD_PATHS",
      `${caller} needs one path or more, each a non-empty string; got ${JSON.stringify(paths)}. ` +
        'Give the function\'s directory and the shared code it uses, e.g. ["services/api", "libs/shared"].',
      { field: "paths" },
    );
  }
  return list.map((p) => path.relative(cwd, path.resolve(cwd, p)).split(path.sep).join("/") || ".");
}

/**
 * How rev-parse is asked for a path's id. It reads an argument holding `..`
 * as a range of commits when both sides name something, and prints two lines
 * for it: every id after it would then be another path's, and the key would
 * not follow the files. `HEAD:./..` is such a range (the right side, empty,
 * is HEAD), so the parent directory is asked as `HEAD:./../`, whose right
 * side names nothing. A name holding `..` (`a..b`) could be one too, if what
 * follows names a branch or a commit: it is refused, loudly.
 */
function revision(relative: string, caller: string): string {
  const named = relative.split("/").find((part) => part.includes("..") && part !== "..");
  if (named !== undefined) {
    throw new LambdaPackageError(
      "BAD_PATHS",
      `${caller} cannot key "${relative}": git reads a name holding ".." ("${named}") as a ` +
        "range of commits when what follows names a branch or a commit. Give its parent " +
        "directory instead.",
      { field: "paths" },
    );
  }
  return relative === ".." || relative.endsWith("/..")
    ? `HEAD:./${relative}/`
    : `HEAD:./${relative}`;
}

/** A cwd-relative path as a path from the top of the work tree, the same from any cwd. */
function inRepository(prefix: string, relative: string): string {
  return path.posix.normalize(path.posix.join(prefix, relative)).replace(/\/$/, "");
}

/** Why the one rev-parse call failed, found with one call per question: only on the error path. */
function diagnose(
  failure: GitCommandFailed,
  cwd: string,
  relative: string[],
  caller: string,
): LambdaPackageError {
  const ask = (args: string[]): string | undefined => {
    try {
      return runGit(args, { cwd });
    } catch (error) {
      if (error instanceof GitCommandFailed) return undefined;
      throw error;
    }
  };
  const where = ask(["rev-parse", "--show-toplevel", "--show-prefix"]);
  if (where === undefined || ask(["rev-parse", "--is-inside-work-tree"])?.trim() !== "true") {
    return new LambdaPackageError(
      "GIT_NOT_A_WORK_TREE",
      `${caller}: ${cwd} is not inside a git work tree (${firstLine(failure.stderr)}). ` +
        "Run the program from a git checkout, pass `cwd` inside one, or give `sourceKey` another value.",
      { field: "cwd" },
    );
  }
  const [top, prefix] = where.split("\n");
  if (ask(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]) === undefined) {
    return new LambdaPackageError(
      "GIT_NO_COMMIT",
      `${caller}: the repository at ${top} has no commit yet, so there is no tree to key on. ` +
        "Commit the function's code first.",
    );
  }
  for (const p of relative) {
    if (ask(["rev-parse", "--verify", "--quiet", revision(p, caller)]) !== undefined) continue;
    const name = inRepository(prefix, p);
    const onDisk = path.resolve(cwd, p);
    if (name === ".." || name.startsWith("../")) {
      return new LambdaPackageError(
        "GIT_PATH_NOT_TRACKED",
        `${caller}: ${onDisk} is outside the git work tree at ${top}. Give paths inside it ` +
          "(relative to cwd), or run from the repository that holds them.",
        { field: "paths" },
      );
    }
    if (existsSync(onDisk)) {
      return new LambdaPackageError(
        "GIT_PATH_NOT_TRACKED",
        `${caller}: "${name}" (${onDisk}) is not in HEAD's tree: it is untracked, ignored or ` +
          `not committed yet. Commit it (\`git add ${name} && git commit\`), or leave it out of the paths.`,
        { field: "paths" },
      );
    }
    return new LambdaPackageError(
      "GIT_PATH_NOT_FOUND",
      `${caller}: "${p}" does not exist, neither on disk (${onDisk}) nor in HEAD's tree. ` +
        `Paths are relative to ${cwd}; check the spelling, or pass the right \`cwd\`.`,
      { field: "paths" },
    );
  }
  return new LambdaPackageError(
    "GIT_FAILED",
    `${caller}: git rev-parse failed in ${cwd}: ${failure.stderr.trim()}. Run it by hand to see why.`,
    { cause: failure },
  );
}

function firstLine(text: string): string {
  return text
    .trim()
    .split("\n")[0]
    .replace(/^fatal: /, "");
}
