/**
 * The key of a read set: a digest of what the files and directories a build
 * read hold now, taken without reading what git already knows. Preview takes
 * it for every resource whose `sourceKey` is left out: two git questions,
 * `ls-tree` for the committed ids and `status` for what differs from them,
 * asked in a small helper process (engine/git/runner.ts), with the questions
 * of resources diffed at the same time sharing one batch and one `status`.
 * The helper answers the `ls-tree` from a `git cat-file` it keeps running
 * (engine/git/from-objects.ts), so a key costs one git process, the `status`.
 * Only files git cannot vouch for are read: edited, untracked and ignored
 * ones, and anything outside a work tree.
 */
import { createHash, type Hash } from "node:crypto";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import path from "node:path";
import { isWithin } from "../../shared/paths";
import { GitCommandFailed, runGit } from "../git/run";
import { runGitBatchAside } from "../git/runner";
import { workTreeTop } from "../git/work-tree";
import { addPathState, changedPaths, statusArgs, under } from "../git/uncommitted";

/** Bumped if what is digested changes, so an old key never matches a new one by accident. */
const READS_KEY_VERSION = "reads 1";
/** Hex digits kept: 160 bits, as many as a commit id. */
const KEY_HEX = 40;

/** git's id for a path at HEAD (`<mode> <type> <id>`); a path without one counts by its bytes. */
type Known = { readonly id: string };

/**
 * `reads:<40 hex>` over `paths` (absolute; files or directories), the same for
 * the same content wherever the checkout is. Inside a git work tree a path
 * counts by its id at HEAD plus whatever `git status` says differs under it
 * (edits, deletions, untracked files); a path git does not have at HEAD (an
 * ignored config file, a path outside any work tree) counts by its bytes. A
 * sparse checkout's skipped files count too, so it never shares a key with
 * a full one.
 */
export async function readsKey(paths: readonly string[]): Promise<string> {
  const hash = createHash("sha256").update(`${READS_KEY_VERSION}\n`);
  const sorted = [...new Set(paths.map(realPath))].sort();
  const tree = sorted.length ? workTreeOf(path.dirname(sorted[0])) : undefined;
  const inTree = tree ? sorted.filter((p) => isWithin(p, tree.top)) : [];
  const { known, changed } = tree
    ? await gitState(tree, inTree)
    : { known: new Map<string, Known>(), changed: [] };
  for (const file of sorted) {
    const state = known.get(file);
    hash.update(`${tree && isWithin(file, tree.top) ? relativeTo(tree.top, file) : file}\0`);
    if (state && "id" in state) hash.update(`git ${state.id}\n`);
    else addDisk(hash, file);
  }
  if (tree && inTree.length) {
    const names = inTree.map((p) => relativeTo(tree.top, p));
    // What differs from HEAD under the committed paths: their bytes now.
    const committed = names.filter((_, i) => "id" in (known.get(inTree[i]) ?? {}));
    if (committed.length) {
      for (const name of under(changed, committed)) {
        hash.update(`changed ${name}\0`);
        addDisk(hash, path.join(tree.top, name));
      }
      for (const name of tree.sparse ? skippedPaths(tree.top, committed) : [])
        hash.update(`skipped ${name}\n`);
    }
  }
  return `reads:${hash.digest("hex").slice(0, KEY_HEX)}`;
}

interface WorkTree {
  readonly top: string;
  /** Whether the checkout may leave tracked files out of the working tree. */
  readonly sparse: boolean;
}

const workTrees = new Map<string, WorkTree | undefined>();

/**
 * The work tree holding `dir`. Where a work tree's top is does not change
 * while a program runs, so git is asked once per tree and process: a
 * directory below a top already found belongs to it unless a `.git` on the
 * way up says it is a repository of its own (a submodule, a nested clone).
 */
function workTreeOf(dir: string): WorkTree | undefined {
  if (workTrees.has(dir)) return workTrees.get(dir);
  for (const tree of workTrees.values()) {
    if (tree && isWithin(dir, tree.top) && !nestedRepositoryBetween(dir, tree.top)) return tree;
  }
  let tree: WorkTree | undefined;
  const top = existsSync(dir) ? workTreeTop(dir) : undefined;
  if (top !== undefined) {
    const sparseFile = runGit(["rev-parse", "--git-path", "info/sparse-checkout"], {
      cwd: top,
    }).replace(/\n$/, "");
    tree = { top, sparse: existsSync(path.resolve(top, sparseFile)) };
  }
  workTrees.set(dir, tree);
  return tree;
}

/** Whether a directory from `dir` up to (not including) `top` holds a `.git` of its own. */
function nestedRepositoryBetween(dir: string, top: string): boolean {
  for (let at = dir; at !== top && isWithin(at, top); at = path.dirname(at)) {
    if (existsSync(path.join(at, ".git"))) return true;
  }
  return false;
}

/**
 * The id at HEAD of each path git has there, by absolute path, and what
 * `git status` reports under the paths (repository-relative), from one
 * `git ls-tree` and one `git status` run together.
 */
async function gitState(
  tree: WorkTree,
  files: readonly string[],
): Promise<{ known: Map<string, Known>; changed: string[] }> {
  const known = new Map<string, Known>();
  if (files.length === 0) return { known, changed: [] };
  const names = files.map((p) => relativeTo(tree.top, p) || ".");
  let listing: string;
  let status: string;
  try {
    ({ listing, status } = await askGit(tree.top, names));
  } catch (error) {
    if (!(error instanceof GitCommandFailed)) throw error;
    return { known, changed: [] }; // no commit yet: everything counts by its bytes
  }
  const byName = new Map(files.map((p) => [relativeTo(tree.top, p), p]));
  for (const record of listing.split("\0")) {
    // `<mode> <type> <id>\t<path>`
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const file = byName.get(record.slice(tab + 1));
    if (file) known.set(file, { id: record.slice(0, tab) });
  }
  // The top itself is HEAD's whole tree, which ls-tree does not list as an entry.
  if (byName.has("")) {
    const root = runGit(["rev-parse", "HEAD^{tree}"], { cwd: tree.top }).trim();
    known.set(byName.get("")!, { id: `040000 tree ${root}` });
  }
  return { known, changed: changedPaths(status) };
}

/** What git answered one `readsKey` about its paths. */
interface Answer {
  readonly listing: string;
  readonly status: string;
}

interface Question {
  readonly names: readonly string[];
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: unknown) => void;
}

/** Per work tree: whether a batch is with git, and the questions that came in meanwhile. */
const queues = new Map<string, { busy: boolean; waiting: Question[] }>();

/**
 * One `ls-tree` of `names` and a `git status` covering them, for `top`.
 * A preview asks this of every resource at about the same time, so
 * questions that come in while git answers earlier ones wait and go
 * together: one batch, an `ls-tree` each, and one `status` of all their
 * paths. Each question keeps its own `ls-tree`, because overlapping paths
 * in one (`a` and `a/b`) change what it lists; the shared `status` lists
 * more than a question asked, and its reader keeps only what is under its
 * own paths. The first question never waits.
 */
function askGit(top: string, names: readonly string[]): Promise<Answer> {
  let queue = queues.get(top);
  if (!queue) queues.set(top, (queue = { busy: false, waiting: [] }));
  const answer = new Promise<Answer>((resolve, reject) =>
    queue.waiting.push({ names, resolve, reject }),
  );
  if (!queue.busy) void answerAll(top, queue);
  return answer;
}

async function answerAll(top: string, queue: { busy: boolean; waiting: Question[] }) {
  queue.busy = true;
  while (queue.waiting.length) {
    const batch = queue.waiting.splice(0, batchSize(queue.waiting));
    try {
      const answers = await askTogether(top, batch);
      batch.forEach((question, i) => question.resolve(answers[i]));
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      // git stops at the first command that fails: one question's failure must not be the others'.
      else
        for (const question of batch) {
          await askTogether(top, [question]).then(
            ([answer]) => question.resolve(answer),
            question.reject,
          );
        }
    }
  }
  queue.busy = false;
}

/**
 * How many waiting questions go in the next batch: where the helper cannot run,
 * the batch is one shell script (runGitBatch), which is one
 * argument, which Linux caps at 128 KiB, and each question's paths appear in
 * it twice (its `ls-tree` and the `status`). A question larger than the
 * budget goes alone, as it would unbatched.
 */
function batchSize(waiting: readonly Question[]): number {
  let bytes = 0;
  for (let i = 0; i < waiting.length; i++) {
    bytes += 2 * waiting[i].names.reduce((sum, name) => sum + name.length + 3, 0);
    if (bytes > BATCH_SCRIPT_BYTES) return Math.max(i, 1);
  }
  return waiting.length;
}

/** What the paths of one batch may take of the shell script: half of Linux's 128 KiB an argument. */
const BATCH_SCRIPT_BYTES = 64 * 1024;

async function askTogether(top: string, batch: readonly Question[]): Promise<Answer[]> {
  const all = [...new Set(batch.flatMap((q) => q.names))];
  const outputs = await runGitBatchAside(
    [
      ...batch.map((q) => ["ls-tree", "-z", "--full-tree", "HEAD", "--", ...q.names]),
      statusArgs(all, top),
    ],
    { cwd: top },
  );
  const status = outputs[batch.length];
  return batch.map((_, i) => ({ listing: outputs[i], status }));
}

/** Tracked files under `names` that a sparse checkout left out of the working tree. */
function skippedPaths(top: string, names: readonly string[]): string[] {
  const listing = runGit(["ls-files", "-t", "-z", "--", ...names.map((n) => n || ".")], {
    cwd: top,
  });
  return listing
    .split("\0")
    .filter((record) => record.startsWith("S "))
    .map((record) => record.slice(2))
    .sort();
}

/** What `file` holds on disk: gone, a link's target, a file's mode and bytes, a directory's entries. */
function addDisk(hash: Hash, file: string): void {
  addPathState(hash, file, (dir) => {
    hash.update("dir\n");
    for (const name of readdirSync(dir).sort()) {
      if (name === ".git") continue; // another repository's bookkeeping, never packaged
      hash.update(`${name}\0`);
      addDisk(hash, path.join(dir, name));
    }
    hash.update("end");
  });
  hash.update("\n");
}

/** `file` with its directory's links resolved (not its own: a link counts as a link), as git names it. */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return path.join(realpathSync(path.dirname(absolute)), path.basename(absolute));
  } catch {
    return absolute; // gone: counted as missing under the name it was recorded by
  }
}

/** `file` from `top` with forward slashes, as git names it; "" for the top itself. */
function relativeTo(top: string, file: string): string {
  return path.relative(top, file).split(path.sep).join("/");
}
