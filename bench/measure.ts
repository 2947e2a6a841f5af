/**
 * What every benchmark shares: its flags, running one tool as a process of
 * its own under GNU time (so wall time, CPU and peak RSS are that tool's),
 * medians, and the targets line.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
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
    return { sample: { wall, cpu: user + sys, rssMb: rssKb / 1024 }, stdout };
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
    rssMb: Math.max(...list.map((s) => s.rssMb)),
  };
}

/** `target ours ≤ 0.6× zip -9: 0.49× MET` */
export function target(what: string, value: string, met: boolean): string {
  return `target ${what}: ${value} ${met ? "MET" : "NOT MET"}`;
}

/** The tools of a round in another order each round, so none always meets a warmer cache. */
export function rotate<T>(tools: readonly T[], round: number): T[] {
  return tools.map((_, i) => tools[(i + round) % tools.length]);
}
