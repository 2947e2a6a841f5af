import { realpathSync } from "node:fs";
import { GitCommandFailed, runGit } from "./run";
import { runGitBatchAside } from "./runner";

/** The shell's status for a command it could not find: git is not on PATH. */
const NOT_FOUND = 127;

/**
 * The real path of the top of the git work tree holding `dir`, or undefined
 * outside one. Read whole, not by lines: a top whose name holds a line break
 * is still one path.
 */
export function workTreeTop(dir: string): string | undefined {
  try {
    return realpathSync(runGit(["rev-parse", "--show-toplevel"], { cwd: dir }).replace(/\n$/, ""));
  } catch (error) {
    if (!(error instanceof GitCommandFailed)) throw error;
    return undefined;
  }
}

/**
 * `workTreeTop` asked of the git helper (engine/git/runner.ts): the same
 * answer without blocking this thread while git runs, nor forking this
 * process, which in a provider building many functions at once is large.
 * Where git cannot be found it is asked here, which says so as `workTreeTop` does.
 */
export async function workTreeTopAside(dir: string): Promise<string | undefined> {
  try {
    const [top] = await runGitBatchAside([["rev-parse", "--show-toplevel"]], { cwd: dir });
    return realpathSync(top.replace(/\n$/, ""));
  } catch (error) {
    if (!(error instanceof GitCommandFailed)) throw error;
    return error.status === NOT_FOUND ? workTreeTop(dir) : undefined;
  }
}
