/**
 * What every benchmark shares: its flags, running one tool as a process of
 * its own under GNU time (so wall time, CPU and peak RSS are that tool's) or
 * a whole process tree sampled from /proc, medians, and the targets line.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

/** One run of one tool. */
export interface Sample {
  /** Wall seconds. */
  wall: number;
  /** CPU seconds, user + system, of the process and its children. */
  cpu: number;
  /** CPU seconds in user mode, of the process and its children. */
  user: number;
  /** CPU seconds in the kernel on the process's behalf (system calls, page faults, wake-ups). */
  sys: number;
  /** Peak resident set of the largest process of the tree, MB. */
  rssMb: number;
}

/**
 * The flags of a benchmark: `--runs N` and `--json FILE` for all, plus its
 * own; a usage error names the flag and the file to read.
 */
export function benchFlags<T extends NonNullable<ParseArgsConfig["options"]>>(
  file: string,
  own: T,
): { runs: number; json?: string; values: Record<keyof T, string | boolean | undefined> } {
  try {
    const options: ParseArgsConfig["options"] = {
      runs: { type: "string" },
      json: { type: "string" },
      ...own,
    };
    const values = parseArgs({ args: process.argv.slice(2), options }).values as Record<
      string,
      string | boolean | undefined
    >;
    const runs = wholeFlag("runs", values.runs, 5);
    const json = typeof values.json === "string" ? values.json : undefined;
    return { runs, json, values: values as Record<keyof T, string | boolean | undefined> };
  } catch (error) {
    throw new Error(`${(error as Error).message}; see the header of ${file}`, { cause: error });
  }
}

/** A positive whole number from a flag's text, or the default. */
export function wholeFlag(name: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a whole number >= 1`);
  return value;
}

/**
 * Runs `args` under GNU time and returns its sample and stdout; a failure
 * throws with its stderr.
 */
export async function measured(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ sample: Sample; stdout: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-time-"));
  const timeFile = path.join(dir, "time.txt");
  try {
    const child = spawn("/usr/bin/time", ["-o", timeFile, "-f", "%e %U %S %M", ...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}:\n${stderr}`);
    const [wall, user, sys, rssKb] = (await readFile(timeFile, "utf8"))
      .trim()
      .split(/\s+/)
      .map(Number);
    return { sample: { wall, cpu: user + sys, user, sys, rssMb: rssKb / 1024 }, stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Medians of the samples, but the largest RSS: the peak is what a build machine must hold. */
export function medianSample(list: readonly Sample[]): Sample {
  return {
    wall: median(list.map((s) => s.wall)),
    cpu: median(list.map((s) => s.cpu)),
    user: median(list.map((s) => s.user)),
    sys: median(list.map((s) => s.sys)),
    rssMb: Math.max(...list.map((s) => s.rssMb)),
  };
}

/** `4.93 s (user 5.71 s, sys 0.80 s)`: wall time with the CPU beside it. */
export function timeAndCpu(s: Pick<Sample, "wall" | "user" | "sys">): string {
  return `${s.wall.toFixed(2)} s (user ${s.user.toFixed(2)} s, sys ${s.sys.toFixed(2)} s)`;
}

/**
 * The command that runs `args` on the first CPU alone (`taskset -c 0`), for
 * the one-core case: what a 1-vCPU build runner gives the same work.
 */
export function oneCore(args: readonly string[]): string[] {
  return ["taskset", "-c", "0", ...args];
}

/**
 * The command that runs `args` under a child subreaper (Linux's
 * `PR_SET_CHILD_SUBREAPER`, set from python3): processes that outlive their
 * parent (a provider's git helper and what it started) are reparented to it
 * and waited for, so their CPU counts in this process's waited children's,
 * where otherwise init would reap them uncounted. It exits with the
 * command's status once every process under it has ended.
 */
export function reapingAll(args: readonly string[]): string[] {
  const script = [
    "import ctypes, os, sys",
    "ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)",
    "pid = os.fork()",
    "if pid == 0:",
    "    os.execvp(sys.argv[1], sys.argv[1:])",
    "status = 1",
    "while True:",
    "    try:",
    "        ended, code = os.wait()",
    "    except ChildProcessError:",
    "        break",
    "    if ended == pid:",
    "        status = os.waitstatus_to_exitcode(code)",
    "sys.exit(status if status >= 0 else 128 - status)",
  ].join("\n");
  return ["python3", "-c", script, ...args];
}

/** `target ours ≤ 0.6× zip -9: 0.49× MET` */
export function target(what: string, value: string, met: boolean): string {
  return `target ${what}: ${value} ${met ? "MET" : "NOT MET"}`;
}

/** The tools of a round in another order each round, so none always meets a warmer cache. */
export function rotate<T>(tools: readonly T[], round: number): T[] {
  return tools.map((_, i) => tools[(i + round) % tools.length]);
}

/** Bytes of a page, for /proc's RSS counts: 4 KiB on the x86-64 and arm64 Linux this runs on. */
const PAGE_BYTES = 4096;

/**
 * The summed resident set of `root` and all its descendants right now, from
 * /proc: a process that exits between reads is simply not counted. Shared
 * pages count once per process, so the sum errs high, never low.
 */
export function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the command's closing parenthesis: state, ppid, ..., rss (the 22nd).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pid = Number(name);
    const ppid = Number(fields[1]);
    rss.set(pid, Number(fields[21]) * PAGE_BYTES);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += rss.get(pid) ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** One run of a command whose cost is a whole process tree (the Pulumi CLI and its plugins). */
export interface TreeSample {
  /** Wall seconds. */
  wall: number;
  /** Peak of the tree's summed RSS, sampled every `intervalMs`, MB. */
  peakTreeMb: number;
  stdout: string;
}

/** Runs `args`, sampling its process tree's RSS; a failure throws with its output. */
export async function measuredTree(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; intervalMs?: number } = {},
): Promise<TreeSample> {
  const started = performance.now();
  const child = spawn(args[0], args.slice(1), { env: options.env, cwd: options.cwd });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let peak = 0;
  const sample = () => {
    if (child.pid !== undefined) peak = Math.max(peak, treeRssBytes(child.pid));
  };
  const timer = setInterval(sample, options.intervalMs ?? 100);
  try {
    const [code] = (await once(child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`);
  } finally {
    clearInterval(timer);
  }
  return { wall: (performance.now() - started) / 1000, peakTreeMb: peak / 2 ** 20, stdout };
}
