/**
 * Git questions asked of a small helper process instead of the caller. A
 * process started from a large one (a Pulumi provider holding its SDKs: a
 * few hundred MB) costs a fork of all its memory, some 20–40 ms; started
 * from the helper, which holds only this module, about 2 ms. A preview asks
 * git about every resource, one after another, so the helper is started
 * once per process and kept, idle, without keeping the process alive.
 *
 * The helper is this file run by the same Node.js: it reads one JSON request
 * a line (`{ id, commands, cwd, path }`) and answers each, as soon as its
 * commands are done, with their outputs or their failure
 * (`runGitConcurrently`: what `runGitBatch` would give, the commands run
 * at once rather than in a row, and the ids in HEAD read from a
 * `git cat-file` it keeps running).
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { answerFromObjects, closeReaders } from "./from-objects";
import { GitCommandFailed, runGitBatch, runGitConcurrently, type GitRunOptions } from "./run";

interface Request {
  readonly id: number;
  readonly commands: readonly (readonly string[])[];
  readonly cwd: string;
  /** The caller's PATH when it asked, which finds git as a call of its own would. */
  readonly path?: string;
}

type Reply =
  | { readonly id: number; readonly outputs: string[] }
  | {
      readonly id: number;
      readonly failed: { args: string[]; status: number | null; stderr: string };
    }
  | { readonly id: number; readonly error: string };

type Helper = ChildProcessByStdio<Writable, Readable, null>;

let helper: Helper | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (o: string[]) => void; reject: (e: Error) => void }>();

/**
 * `runGitBatch` in the helper: the same outputs and the same failures.
 * Where the helper cannot run, the batch runs here.
 */
export async function runGitBatchAside(
  commands: readonly (readonly string[])[],
  options: GitRunOptions,
): Promise<string[]> {
  const running = helperProcess();
  if (!running) return runGitBatch(commands, options);
  const id = nextId++;
  const reply = new Promise<string[]>((resolve, reject) => pending.set(id, { resolve, reject }));
  refWhileBusy(running);
  const request: Request = { id, commands, cwd: options.cwd, path: process.env.PATH };
  running.stdin.write(`${JSON.stringify(request)}\n`);
  return reply;
}

/**
 * Whether this module is a file of its own, as installed. Bundled into
 * another file (a program built with a bundler), starting `__filename`
 * would run that whole bundle: git then runs in this process instead.
 */
const OWN_FILE = path.basename(__filename, path.extname(__filename)) === "runner";

function helperProcess(): Helper | undefined {
  if (helper) return helper;
  if (!OWN_FILE) return undefined;
  try {
    const child = spawn(process.execPath, [__filename, "--git-helper"], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, LC_ALL: "C", LANGUAGE: "" },
    });
    child.on("error", () => stop(child, "it could not be started"));
    child.on("exit", () => stop(child, "it exited"));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const reply = JSON.parse(line) as Reply;
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ("outputs" in reply) waiting.resolve(reply.outputs);
      else if ("failed" in reply) {
        const { args, status, stderr } = reply.failed;
        waiting.reject(new GitCommandFailed(args, status, stderr));
      } else waiting.reject(new Error(reply.error));
      refWhileBusy(child);
    });
    helper = child;
    refWhileBusy(child);
    return child;
  } catch {
    return undefined;
  }
}

/** The helper keeps the process alive only while a question is open. */
function refWhileBusy(child: Helper): void {
  const busy = pending.size > 0;
  for (const handle of [child, child.stdin, child.stdout] as { ref(): void; unref(): void }[]) {
    if (busy) handle.ref();
    else handle.unref();
  }
}

function stop(child: Helper, why: string): void {
  if (helper === child) helper = undefined;
  for (const [id, waiting] of pending) {
    pending.delete(id);
    waiting.reject(new Error(`the git helper process failed: ${why}`));
  }
}

/**
 * The helper's side: answers requests until its input ends, which closes
 * the object readers' processes too. The `ls-tree` of HEAD that every
 * automatic key asks and the `rev-parse` that every `gitSourceKey` asks are
 * answered from a long-lived `git cat-file` per repository
 * (./from-objects.ts) rather than a process per question.
 */
function serve(): void {
  const requests = createInterface({ input: process.stdin });
  requests.on("close", closeReaders);
  requests.on("line", (line) => {
    const { id, commands, cwd, path } = JSON.parse(line) as Request;
    // Set before the commands start (synchronously, in runGitConcurrently): requests answered
    // at once each start their git with their own PATH.
    if (path === undefined) delete process.env.PATH;
    else process.env.PATH = path;
    runGitConcurrently(commands, { cwd }, answerFromObjects).then(
      (outputs) => answer({ id, outputs }),
      (error: unknown) =>
        answer(
          error instanceof GitCommandFailed
            ? { id, failed: { args: [...error.args], status: error.status, stderr: error.stderr } }
            : { id, error: error instanceof Error ? error.message : String(error) },
        ),
    );
  });
  function answer(reply: Reply): void {
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

if (require.main === module && process.argv[2] === "--git-helper") serve();
