/**
 * Stopping esbuild's service process for good before the packager exits.
 * esbuild's `stop()` only signals the process; a packager that exits right
 * after leaves it still exiting (or unreaped) in the packager's process group,
 * which the engine then reports as processes left running in the background
 * (engine/packager/run.ts). Waiting here, while Node's event loop runs,
 * lets it exit and Node reap it.
 */
import * as esbuild from "esbuild";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** How long to wait for the service to exit; past that the engine's check stops it. */
const EXIT_WAIT_MS = 5_000;
const POLL_MS = 10;

/**
 * Stops esbuild's service and waits until its process is gone (where /proc
 * shows it): exited and reaped, since an exited child that Node has not
 * reaped yet would outlive Node as a zombie of the packager's process group.
 */
export async function stopEsbuild(): Promise<void> {
  const service = esbuildChildren();
  await esbuild.stop();
  if (service.length === 0) return;
  for (let waited = 0; waited < EXIT_WAIT_MS; waited += POLL_MS) {
    const left = new Set(childPids());
    if (!service.some((pid) => left.has(pid))) return;
    await sleep(POLL_MS);
  }
}

/**
 * The pids of this process's children that are running esbuild services,
 * from Linux's /proc; none where there is no /proc (there the engine's check
 * stops what is left, with a note).
 */
export function esbuildChildren(): number[] {
  const marker = `--service=${esbuild.version}`;
  return childPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(marker);
    } catch {
      return false; // gone already
    }
  });
}

/** The pids of this process's children, exited but not yet reaped ones included. */
export function childPids(): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const task of tasks) {
    try {
      const listed = readFileSync(`/proc/self/task/${task}/children`, "utf8");
      for (const pid of listed.split(" ")) if (pid.trim() !== "") pids.push(Number(pid));
    } catch {
      // A thread that ended, or a kernel without the children file.
    }
  }
  return pids;
}
