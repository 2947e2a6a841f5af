/**
 * A repository's objects read through one long-lived `git cat-file --batch`
 * instead of a git process per question. A process costs some 2–3 ms to start,
 * most of what a one-path `ls-tree` takes; a question to a running
 * `cat-file` costs some 0.2 ms. Only object names of our own making go to
 * it (`HEAD^{tree}` and hex ids), never a path: paths are looked up here, in
 * the tree objects it returns.
 *
 * Sound by construction: a ref such as `HEAD` is resolved by git afresh for
 * every question (a commit, a checkout or a `gc` between two questions is
 * seen), and what is cached is a tree object by its id, which names its
 * content.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/** One entry of a tree object: its raw name, its mode as written, and the id it names (hex). */
export interface TreeEntry {
  readonly name: Buffer;
  readonly mode: number;
  readonly id: string;
}

/** What cat-file said about one object name: its id, type and content, or that it has none. */
type Answer =
  | { readonly id: string; readonly type: string; readonly content: Buffer }
  | { readonly missing: true };

/** Trees kept per repository: a deep monorepo's directories on the paths asked, many times over. */
const MAX_TREES = 4096;

type CatFile = ChildProcessByStdio<Writable, Readable, null>;

/** Why a reader cannot answer: its process could not start, failed or ended. */
export class ReaderFailed extends Error {}

/** The objects of the repository at one directory, read through one `cat-file --batch`. */
export class ObjectReader {
  private readonly process: CatFile;
  private readonly waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private failure: ReaderFailed | undefined;
  private readonly trees = new Map<string, Promise<ReadonlyMap<string, TreeEntry>>>();

  constructor(
    readonly cwd: string,
    env: NodeJS.ProcessEnv,
    private readonly onFailure: (reader: ObjectReader, why: string) => void,
  ) {
    this.process = spawn("git", ["cat-file", "--batch"], {
      cwd,
      env,
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.process.on("error", (error) => this.fail(`it could not run: ${error.message}`));
    this.process.on("exit", (code, signal) => this.fail(`it exited (${signal ?? code})`));
    this.process.stdin.on("error", (error) => this.fail(`its input failed: ${error.message}`));
    this.process.stdout.on("data", (chunk: Buffer) => this.read(chunk));
    this.unref();
  }

  /** Whether it can still answer. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** The id of HEAD's tree now, or undefined when HEAD names no commit (an unborn branch). */
  async headTree(): Promise<string | undefined> {
    const answer = await this.ask("HEAD^{tree}");
    if ("missing" in answer) return undefined;
    if (answer.type !== "tree") throw new ReaderFailed(`HEAD^{tree} is a ${answer.type}`);
    return answer.id;
  }

  /**
   * The entries of the tree `id`, by their raw names read as latin1 (one
   * character a byte). Kept once asked, in flight too: the paths of one
   * question share their parent trees.
   */
  tree(id: string): Promise<ReadonlyMap<string, TreeEntry>> {
    const kept = this.trees.get(id);
    if (kept) return kept;
    const reading = this.ask(id).then((answer) => {
      if ("missing" in answer || answer.type !== "tree")
        throw new ReaderFailed(`tree ${id} could not be read`);
      const entries = parseTree(answer.content, id.length / 2);
      return new Map(entries.map((entry) => [entry.name.toString("latin1"), entry]));
    });
    if (this.trees.size >= MAX_TREES) this.trees.delete(this.trees.keys().next().value!);
    this.trees.set(id, reading);
    reading.catch(() => this.trees.get(id) === reading && this.trees.delete(id));
    return reading;
  }

  /** Ends the process: its input closes, and it exits. */
  close(): void {
    this.fail("it was closed");
    this.process.stdin.end();
  }

  private ask(name: string): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<Answer>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.ref();
    this.process.stdin.write(`${name}\n`);
    return answer;
  }

  /** Answers come in the order asked: `<id> <type> <size>\n<content>\n` or `<name> missing\n`. */
  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.waiting.length) {
      const end = this.buffered.indexOf(10);
      if (end < 0) return;
      const header = this.buffered.subarray(0, end).toString("latin1").split(" ");
      if (header.length === 2 && (header[1] === "missing" || header[1] === "ambiguous")) {
        this.buffered = this.buffered.subarray(end + 1);
        this.answered({ missing: true });
        continue;
      }
      const size = Number(header[2]);
      if (header.length !== 3 || !Number.isSafeInteger(size)) {
        this.fail(`it answered ${JSON.stringify(header.join(" "))}`);
        return;
      }
      if (this.buffered.length < end + 1 + size + 1) return;
      const content = Buffer.from(this.buffered.subarray(end + 1, end + 1 + size));
      this.buffered = this.buffered.subarray(end + 1 + size + 1);
      this.answered({ id: header[0], type: header[1], content });
    }
  }

  private answered(answer: Answer): void {
    this.waiting.shift()!.resolve(answer);
    if (this.waiting.length === 0) this.unref();
  }

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = new ReaderFailed(`git cat-file in ${this.cwd}: ${why}`);
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
    this.unref();
    if (why !== "it was closed") this.onFailure(this, why);
    if (this.process.exitCode === null) this.process.kill();
  }

  /** The process keeps its parent alive only while a question is open. */
  private ref(): void {
    for (const handle of this.handles()) handle.ref();
  }

  private unref(): void {
    for (const handle of this.handles()) handle.unref();
  }

  private handles(): { ref(): void; unref(): void }[] {
    return [this.process, this.process.stdin, this.process.stdout] as unknown as {
      ref(): void;
      unref(): void;
    }[];
  }
}

/**
 * A tree object's entries: `<mode in octal> <name>\0<id, binary>` one after
 * another, the id `idBytes` long (20 for SHA-1, 32 for SHA-256).
 */
export function parseTree(content: Buffer, idBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(32, at);
    const nul = content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + idBytes > content.length)
      throw new ReaderFailed("a tree object could not be parsed");
    entries.push({
      mode: parseInt(content.toString("latin1", at, space), 8),
      name: Buffer.from(content.subarray(space + 1, nul)),
      id: content.toString("hex", nul + 1, nul + 1 + idBytes),
    });
    at = nul + 1 + idBytes;
  }
  return entries;
}
