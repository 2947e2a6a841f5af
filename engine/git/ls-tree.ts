/**
 * `git ls-tree -z --full-tree HEAD -- <paths>` answered from a long-lived
 * `git cat-file --batch` per repository (./objects.ts) instead of a process
 * per question: what the git helper (./runner.ts) does with the `ls-tree`
 * every automatic key asks for (engine/reads/key.ts). The answer holds the
 * records `ls-tree` lists for the named paths themselves, byte for byte
 * (`<mode> <type> <id>\t<path>\0`), which is all a key reads of it; the
 * children that `ls-tree` also lists under a name given as `.` are left out.
 *
 * Whatever it cannot answer exactly (a path it does not expect, no commit
 * yet, a reader that failed) it leaves to the real command, so the outputs
 * and the failures stay `ls-tree`'s.
 */
import { ObjectReader, ReaderFailed, type TreeEntry } from "./objects";

/** Readers kept at once: one per repository a process keys, which is one or a few. */
const MAX_READERS = 8;

const readers = new Map<string, ObjectReader>();
/** Directories whose reader failed: asked with one-shot commands from then on. */
const failed = new Set<string>();

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
 * What `git ls-tree -z --full-tree HEAD -- ...paths` lists for the paths
 * themselves, run in `cwd` (the top of a work tree), or undefined where the
 * real command must answer: it is not that command, HEAD names no commit,
 * or the reader failed (which is logged once, and that directory is then
 * asked with one-shot commands).
 */
export async function lsTreeFromObjects(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const paths = lsTreePaths(args);
  if (!paths || failed.has(cwd)) return undefined;
  const reader = readerFor(cwd, env);
  try {
    const root = await reader.headTree();
    if (root === undefined) return undefined; // no commit: ls-tree fails, and says why
    const records = await Promise.all(
      [...new Set(paths)].map(async (p) => {
        const record = await recordOf(reader, root, p, paths);
        return record === undefined ? "" : `${record}\t${p}\0`;
      }),
    );
    return records.join("");
  } catch (error) {
    if (!(error instanceof ReaderFailed)) throw error;
    giveUp(reader, error.message);
    return undefined;
  }
}

/**
 * `ls-tree`'s record of `name` (`<mode> <type> <id>`), or undefined when it
 * lists none for it: the path is not in HEAD's tree (a parent is a file, a
 * link or a submodule, or it is the top), or it is a directory with another
 * of the paths below it, which `ls-tree` descends into instead of listing.
 */
export async function recordOf(
  reader: ObjectReader,
  root: string,
  name: string,
  all: readonly string[],
): Promise<string | undefined> {
  if (name === ".") return undefined;
  const parts = name.split("/");
  let tree = root;
  let entry: TreeEntry | undefined;
  for (let i = 0; i < parts.length; i++) {
    entry = (await reader.tree(tree)).get(Buffer.from(parts[i], "utf8").toString("latin1"));
    if (!entry) return undefined;
    const mode = canonicalMode(entry.mode);
    if (i < parts.length - 1) {
      if (mode !== DIRECTORY) return undefined;
      tree = entry.id;
    }
  }
  const mode = canonicalMode(entry!.mode);
  if (mode === DIRECTORY && all.some((other) => other.startsWith(`${name}/`))) return undefined;
  return `${mode.toString(8).padStart(6, "0")} ${typeOf(mode)} ${entry!.id}`;
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
      `git ls-tree runs once per question in ${reader.cwd} from now on\n`,
  );
}

/** Ends every reader's process: the helper calls this when its input ends. */
export function closeReaders(): void {
  for (const reader of readers.values()) reader.close();
  readers.clear();
}
