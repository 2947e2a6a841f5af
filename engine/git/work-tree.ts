import { realpathSync } from "node:fs";
import { GitCommandFailed, runGit } from "./run";

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
