import { execFile, spawnSync, type ExecFileException } from "node:child_process";
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { LambdaPackageError } from "../../shared/errors";

/** A git command that ran and failed: its exit status and what it said. */
export class GitCommandFailed extends Error {
  constructor(
    readonly args: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} exited ${status ?? "on a signal"}: ${stderr.trim()}`);
  }
}

/** What a git run may be given besides its arguments. */
export interface GitRunOptions {
  /** Directory to run in. */
  readonly cwd: string;
  /** Bytes for its standard input, e.g. paths for `--stdin`. @default none */
  readonly input?: string;
}

/**
 * Output limit of one git call. A status listing of a very dirty tree is the
 * largest output expected: 64 MiB is some 500,000 paths.
 */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs `git args` synchronously and returns its standard output. Synchronous
 * because a source key is computed while a Pulumi program builds its args.
 * `--literal-pathspecs` makes paths mean themselves (no globbing of `*` or
 * `[`). Optional locks stay on unless the command turns them off: see
 * `statusArgs` (./uncommitted.ts) for when a `git status` does.
 * Throws GIT_NOT_FOUND when there is no git to run, GitCommandFailed when
 * git ran and failed (the caller knows which path it was about).
 */
export function runGit(args: readonly string[], options: GitRunOptions): string {
  const full = ["--literal-pathspecs", ...args];
  const result = spawnSync("git", full, {
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    maxBuffer: MAX_OUTPUT,
    // Git's messages are parsed for a few cases; keep them in English.
    env: { ...process.env, LC_ALL: "C", LANGUAGE: "" },
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !isMissingDirectory(options.cwd)) {
      throw new LambdaPackageError(
        "GIT_NOT_FOUND",
        `gitSourceKey runs \`git\`, which is not on PATH (${process.env.PATH ?? "PATH is unset"}). ` +
          "Install git on this machine, or give `sourceKey` another value (e.g. the pipeline's commit SHA).",
        { cause: result.error },
      );
    }
    throw new LambdaPackageError(
      "GIT_FAILED",
      `Cannot run \`git ${args[0]}\` in ${options.cwd}: ${result.error.message}. ` +
        "Check that the directory exists and that git can run there.",
      { cause: result.error },
    );
  }
  if (result.status !== 0) throw new GitCommandFailed(args, result.status, result.stderr);
  return result.stdout;
}

/**
 * Runs several git commands in one shell and returns each one's standard
 * output: one process started from this one instead of several. Starting a
 * process from a large one (a Pulumi provider, a program) costs a fork of
 * its whole memory, so this halves what a preview pays per resource for two
 * git questions. The outputs are split by a marker drawn at random for the
 * call, which no file name can forge. Throws like `runGit`, naming the
 * command that failed; the ones after it do not run.
 */
export function runGitBatch(
  commands: readonly (readonly string[])[],
  options: GitRunOptions,
): string[] {
  const marker = `\n${randomBytes(16).toString("hex")}\n`;
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const script = commands
    .map((args) => ["git", "--literal-pathspecs", ...args].map(quote).join(" "))
    .join(` && printf '%s' ${quote(marker)} && `);
  // By its absolute path: a PATH without git may lack the shell too, and git missing must say so.
  const result = spawnSync("/bin/sh", ["-c", `set -e; ${script}`], {
    cwd: options.cwd,
    encoding: "utf8",
    maxBuffer: MAX_OUTPUT,
    env: { ...process.env, LC_ALL: "C", LANGUAGE: "" },
  });
  if (result.error) throw result.error;
  const outputs = result.stdout.split(marker);
  // `set -e` stops at the first failure, after the markers of those that ran before it.
  if (result.status !== 0) {
    const failed = commands[Math.min(outputs.length, commands.length) - 1];
    throw new GitCommandFailed(failed, result.status, result.stderr);
  }
  if (outputs.length !== commands.length)
    throw new GitCommandFailed(commands[0], result.status, "the outputs could not be told apart");
  return outputs;
}

/**
 * The commands of a batch at once, each a git process of its own with no
 * shell: what the helper process (./runner.ts) runs, where a process costs
 * no fork of a large caller, so a batch takes as long as its slowest command
 * rather than all of them in a row (a preview waits for them, resource by resource).
 * The outputs and failures are `runGitBatch`'s: the first command, in order,
 * that failed is the one named, and a git not on PATH is the shell's 127.
 * A command that `answer` answers starts no process.
 */
export async function runGitConcurrently(
  commands: readonly (readonly string[])[],
  options: GitRunOptions,
  answer?: Shortcut,
): Promise<string[]> {
  const env = { ...process.env, LC_ALL: "C", LANGUAGE: "" };
  const run = (args: readonly string[]) =>
    new Promise<Outcome>((resolve) => {
      execFile(
        "git",
        ["--literal-pathspecs", ...args],
        { cwd: options.cwd, env, encoding: "utf8", maxBuffer: MAX_OUTPUT },
        (error, stdout, stderr) => resolve({ error, stdout, stderr }),
      );
    });
  const results = await Promise.all(
    commands.map(async (args): Promise<Outcome> => {
      const stdout = answer && (await answer(args, options.cwd, env));
      return stdout === undefined ? run(args) : { error: null, stdout, stderr: "" };
    }),
  );
  results.forEach(({ error, stderr }, i) => {
    if (!error) return;
    const code = error.code as unknown;
    if (typeof code === "number") throw new GitCommandFailed(commands[i], code, stderr);
    if (code === "ENOENT" && !isMissingDirectory(options.cwd))
      throw new GitCommandFailed(commands[i], 127, "git: not found");
    throw error instanceof Error ? error : new Error(error.message);
  });
  return results.map(({ stdout }) => stdout);
}

interface Outcome {
  readonly error: ExecFileException | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Another way to get a command's standard output, as git would print it
 * (./from-objects.ts), tried before a process is started for it: undefined to let
 * the command run. `env` is the commands' environment, fixed when the batch began.
 */
export type Shortcut = (
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
) => Promise<string | undefined>;

/** spawn reports a missing working directory as ENOENT too, as if git were missing. */
function isMissingDirectory(dir: string): boolean {
  try {
    return !statSync(dir).isDirectory();
  } catch {
    return true;
  }
}
