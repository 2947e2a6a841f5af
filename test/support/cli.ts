import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

/** The compiled `lambda-package` command. */
export const CLI = path.resolve(__dirname, "../../cli/main.js");

/** Runs `lambda-package` as a user would, in CI mode (no progress line); never rejects. */
export async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, CI: "true", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
