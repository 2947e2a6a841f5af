/** Git repositories for tests: commands with a fixed identity, trees written and committed. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GitCommandFailed } from "../../engine/git/run";

/** An environment in which git commits with a fixed identity, for tests that run git themselves. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "e2e",
  GIT_AUTHOR_EMAIL: "e2e@example.com",
  GIT_COMMITTER_NAME: "e2e",
  GIT_COMMITTER_EMAIL: "e2e@example.com",
};

/** Runs git in `cwd` with a fixed identity, whatever the machine's config says. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args],
    {
      cwd,
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" },
    },
  );
}

/** Writes `files` (paths relative to `root`) with their parent directories. */
export function write(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

/** Writes `files` and commits everything in the work tree. */
export function commit(root: string, files: Record<string, string>, message = "change"): void {
  write(root, files);
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", message);
}

/** The command and exit status of the GitCommandFailed that `run` throws or rejects with. */
export async function gitFailureOf(
  run: () => unknown,
): Promise<{ args: readonly string[]; status: number | null }> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof GitCommandFailed, String(error));
    return { args: error.args, status: error.status };
  }
  return assert.fail("it did not fail");
}
