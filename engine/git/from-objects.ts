/**
 * Git commands answered from a long-lived `git cat-file --batch` per
 * repository (./objects.ts) instead of a process per question: what the git
 * helper (./runner.ts) does with the questions asked once per resource in a
 * preview, so that each costs a question to a running process (some 0.2 ms)
 * rather than a process of its own (2–3 ms):
 *
 * - `ls-tree -z --full-tree HEAD -- <paths>`, which every automatic key asks
 *   (engine/reads/key.ts). The answer holds the records `ls-tree` lists for
 *   the named paths themselves, byte for byte (`<mode> <type> <id>\t<path>\0`),
 *   which is all a key reads of it; the children that `ls-tree` also lists
 *   under a name given as `.` are left out.
 * - `rev-parse HEAD:./<path>... --show-prefix --show-toplevel`, which every
 *   `gitSourceKey` asks (./source-key.ts): the ids from HEAD's trees, the
 *   prefix and top from one real `rev-parse` per directory and helper, kept:
 *   where a directory's work tree is does not change while a program runs
 *   (engine/reads/key.ts keeps it the same way).
 *
 * Whatever it cannot answer exactly (a path it does not expect, no commit
 * yet, a path not in HEAD, a reader that failed) it leaves to the real
 * command, so the outputs and the failures stay git's.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { ObjectReader, type TreeEntry } from "./objects";

/** Readers kept at once: one per repository a process keys, which is one or a few. */
const MAX_READERS = 8;

const readers = new Map<string, ObjectReader>();
/** Directories whose reader failed: asked with one-shot commands from then on. */
const failed = new Set<string>();

/**
 * `args`' standard output as git would print it, run in `cwd` with `env`, or
 * undefined where the real command must answer: the helper's shortcut
 * (`Shortcut` of ./run.ts). A reader that fails is logged once, and its
 * directory asked with one-shot commands from then on.
 */
export async function answerFromObjects(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const paths = lsTreePaths(args);
  const revisions = paths ? undefined : revParsePaths(args);
  if ((!paths && !revisions) || failed.has(cwd)) return undefined;
  // Asked while HEAD is read: the first question of a directory waits for both at once.
  const where = revisions ? prefixAndTop(cwd, env) : undefined;
  const reader = readerFor(cwd, env);
  try {
    const root = await reader.headTree();
    if (root === undefined) return undefined; // no commit: git fails, and says why
    if (paths) return await lsTree(reader, root, paths);
    return await revParse(reader, root, revisions!, await where);
  } catch (error) {
    // Whatever went wrong here, the real command can still answer.
    giveUp(reader, error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/** The paths of `args` when they are the `ls-tree` of HEAD that this answers; else undefined. */
export function lsTreePaths(args: readonly string[]): string[] | undefined {
  const head = ["ls-tree", "-z", "--full-tree", "HEAD", "--"];
  if (args.length <= head.length || head.some((arg, i) => args[i] !== arg)) return undefined;
  const paths = args.slice(head.length);
  // Only plain repository-relative paths, as readsKey gives them; the top (`.`) included.
  const plain = (p: string) =>
    p === "." || p.split("/").every((part) => part !== "" && part !== "." && part !== "..");
  return paths.every(plain) ? paths : undefined;
}

/**
 * The cwd-relative paths of `args` when they are the `rev-parse` that
 * gitSourceKey asks (`HEAD:./<path>` each, then `--show-prefix --show-toplevel`);
 * else undefined.
 */
export function revParsePaths(args: readonly string[]): string[] | undefined {
  const tail = ["--show-prefix", "--show-toplevel"];
  if (args[0] !== "rev-parse" || args.length < 4) return undefined;
  if (args.at(-2) !== tail[0] || args.at(-1) !== tail[1]) return undefined;
  const paths: string[] = [];
  for (const arg of args.slice(1, -2)) {
    if (!arg.startsWith("HEAD:./")) return undefined;
    // A parent directory is asked as `HEAD:./../` (./source-key.ts): the same path as `..`.
    const p = arg.slice("HEAD:./".length).replace(/(^|\/)\.\.\/$/, "$1..");
    // rev-parse reads `A..B` as a range when both sides resolve (`..` alone ends in HEAD), and
    // `^` as a parent: only a first `..` followed by `/` (whose side never resolves) is a path.
    const dots = arg.indexOf("..");
    if (p.includes("^") || (dots >= 0 && arg[dots + 2] !== "/")) return undefined;
    // As path.relative gives them: `..` parts first, no empty or `.` part, or `.` alone.
    const parts = p.split("/");
    const up = parts.findIndex((part) => part !== "..");
    const rest = up < 0 ? [] : parts.slice(up);
    if (p !== "." && rest.some((part) => part === "" || part === "." || part === ".."))
      return undefined;
    paths.push(p);
  }
  return paths;
}

async function lsTree(reader: ObjectReader, root: string, paths: readonly string[]) {
  const records = await Promise.all(
    [...new Set(paths)].map(async (p) => {
      const record = await recordOf(reader, root, p, paths);
      return record === undefined ? "" : `${record}\t${p}\0`;
    }),
  );
  return records.join("");
}

/**
 * `rev-parse`'s output: the id of each path in HEAD, a line each, then the
 * prefix and top as it printed them; undefined (the real command then
 * fails, and says why) if a path is not in HEAD or leaves the work tree.
 */
async function revParse(
  reader: ObjectReader,
  root: string,
  paths: readonly string[],
  where: string | undefined,
): Promise<string | undefined> {
  // A prefix or top holding a line break cannot be told apart here: the real command answers.
  if (where === undefined || where.split("\n").length !== 3) return undefined;
  const prefix = where.slice(0, where.indexOf("\n"));
  const ids = await Promise.all(
    paths.map(async (p) => {
      const name = path.posix.normalize(path.posix.join(prefix, p)).replace(/\/$/, "");
      if (name === ".." || name.startsWith("../")) return undefined;
      return name === "." ? root : (await entryOf(reader, root, name))?.id;
    }),
  );
  if (ids.some((id) => id === undefined)) return undefined;
  return `${ids.map((id) => `${id}\n`).join("")}${where}`;
}

/** Per directory: `rev-parse --show-prefix --show-toplevel`'s output there, asked once. */
const places = new Map<string, Promise<string | undefined>>();

function prefixAndTop(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  let place = places.get(cwd);
  if (!place) {
    place = new Promise((resolve) => {
      execFile(
        "git",
        ["rev-parse", "--show-prefix", "--show-toplevel"],
        { cwd, env, encoding: "utf8" },
        (error, stdout) => resolve(error ? undefined : stdout),
      );
    });
    places.set(cwd, place);
    // A failure is not kept: the real command answers, and the next question asks again.
    void place.then((answer) => answer === undefined && places.delete(cwd));
  }
  return place;
}

/**
 * `ls-tree`'s record of `name` (`<mode> <type> <id>`), or undefined when it
 * lists none for it: the path is not in HEAD's tree (a parent is a file, a
 * link or a submodule, or it is the top), or it is a directory with another
 * of the paths below it, which `ls-tree` descends into instead of listing.
 */
async function recordOf(
  reader: ObjectReader,
  root: string,
  name: string,
  all: readonly string[],
): Promise<string | undefined> {
  if (name === ".") return undefined;
  const entry = await entryOf(reader, root, name);
  if (!entry) return undefined;
  const mode = canonicalMode(entry.mode);
  if (mode === DIRECTORY && all.some((other) => other.startsWith(`${name}/`))) return undefined;
  return `${mode.toString(8).padStart(6, "0")} ${typeOf(mode)} ${entry.id}`;
}

/** The entry of the repository path `name` (`a/b`) under the tree `root`, through trees only. */
async function entryOf(
  reader: ObjectReader,
  root: string,
  name: string,
): Promise<TreeEntry | undefined> {
  let entry: TreeEntry | undefined;
  for (const part of name.split("/")) {
    if (entry && canonicalMode(entry.mode) !== DIRECTORY) return undefined;
    const tree = entry ? entry.id : root;
    // Names are compared as bytes, as git's pathspecs are: a name that is not UTF-8 never matches.
    entry = (await reader.tree(tree)).get(Buffer.from(part, "utf8").toString("latin1"));
    if (!entry) return undefined;
  }
  return entry;
}

const TYPE_BITS = 0o170000;
const FILE = 0o100000;
const LINK = 0o120000;
const DIRECTORY = 0o040000;
const SUBMODULE = 0o160000;

/** A mode as git reads it from a tree (tree-walk's `canon_mode`), which `ls-tree` prints. */
function canonicalMode(mode: number): number {
  switch (mode & TYPE_BITS) {
    case FILE:
      return FILE | (mode & 0o100 ? 0o755 : 0o644);
    case LINK:
      return LINK;
    case DIRECTORY:
      return DIRECTORY;
    default:
      return SUBMODULE;
  }
}

function typeOf(mode: number): string {
  if (mode === DIRECTORY) return "tree";
  if (mode === SUBMODULE) return "commit";
  return "blob";
}

function readerFor(cwd: string, env: NodeJS.ProcessEnv): ObjectReader {
  let reader = readers.get(cwd);
  if (reader?.alive) return reader;
  if (readers.size >= MAX_READERS) {
    const [oldest, kept] = readers.entries().next().value!;
    readers.delete(oldest);
    kept.close();
  }
  reader = new ObjectReader(cwd, env, (dead, why) => giveUp(dead, why));
  readers.set(cwd, reader);
  return reader;
}

function giveUp(reader: ObjectReader, why: string): void {
  if (readers.get(reader.cwd) !== reader) return;
  readers.delete(reader.cwd);
  failed.add(reader.cwd);
  reader.close();
  process.stderr.write(
    `[lambda-package] the git helper's object reader failed (${why}); ` +
      `ls-tree and rev-parse run as git processes in ${reader.cwd} from now on\n`,
  );
}

/** Ends every reader's process: the helper calls this when its input ends. */
export function closeReaders(): void {
  for (const reader of readers.values()) reader.close();
  readers.clear();
}
