import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";

const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_BYTES = 16 * 1024;

/** The last output of a server process, kept across restarts. */
export interface LogTail {
  text: string;
}

const live = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let cleanupRegistered = false;

// Servers must not outlive the process that started them, whatever way it ends.
export function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
    for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill("SIGKILL");
      process.kill(process.pid, signal);
    });
  }
}

/** Removes `dir` when this process exits, unless `releaseDir` did so first. */
export function ownDir(dir: string): void {
  ownedDirs.add(dir);
}

export function releaseDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  ownedDirs.delete(dir);
}

// setpriv's pdeathsig kills MinIO even when this process is SIGKILLed.
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => existsSync(file));

/** Spawns `binary args` tied to this process's lifetime, its output going to `tail`. */
export function spawnMinio(
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  tail: LogTail,
): ChildProcess {
  const [command, argv] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "SIGKILL", "--", binary, ...args]]
    : [binary, args];
  const child = spawn(command, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
  const append = (chunk: Buffer) => {
    tail.text = (tail.text + chunk.toString("utf8")).slice(-LOG_TAIL_BYTES);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  child.on("error", (error) => append(Buffer.from(`spawn error: ${error.message}\n`)));
  // Unreferenced: a test file whose `after` never ran still exits, and the exit hook kills it.
  child.unref();
  (child.stdout as unknown as { unref(): void }).unref();
  (child.stderr as unknown as { unref(): void }).unref();
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    // Cleared on exit, so a finished stop() leaves no timer holding the process open.
    const timer = setTimeout(() => resolve(exited(child)), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Sends `signal` and waits for the exit; SIGKILL when it has not exited after 10 s. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (exited(child)) return;
  child.kill(signal);
  if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
    child.kill("SIGKILL");
    await waitExit(child, STOP_TIMEOUT_MS);
  }
}
