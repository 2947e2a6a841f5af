import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

/** The compiled `lambda-package` command. */
export const CLI = path.resolve(__dirname, "../../cli/main.js");

/** What a run of the CLI gave: exit code and both streams. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `lambda-package` command as a user runs it: a subprocess of dist/cli/main.js, with CI set. */
export async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, CI: "true", ...env },
      cwd,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
