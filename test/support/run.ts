import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Runs a command and returns its stdout without the final newline; rejects with its stderr on failure. */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const { stdout } = await execFileAsync(command, args, {
    cwd: options.cwd,
    env: options.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.replace(/\r?\n$/, "");
}

/** Runs a short python3 script with arguments. */
export function python(script: string, ...args: string[]): Promise<string> {
  return run("python3", ["-c", script, ...args]);
}

/** Whether a process of that pid is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
