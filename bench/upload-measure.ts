/** Measuring one upload process of bench/upload.ts, and the table rows it prints. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { MinioServer } from "../scripts/minio";

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** One upload: wall seconds, CPU seconds (user + sys) of the tool and of MinIO meanwhile, peak RSS. */
export interface Sample {
  wall: number;
  cpu: number;
  storeCpu: number;
  rssMb: number;
}

/** CPU seconds MinIO has used so far, from /proc. */
async function storeCpu(server: MinioServer): Promise<number> {
  const stat = await readFile(`/proc/${server.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

/** Runs `args` under GNU time; returns the sample and the command's stdout. */
export async function measured(
  args: string[],
  env: NodeJS.ProcessEnv,
  server: MinioServer,
  dir: string,
) {
  const timeFile = path.join(dir, "time.txt");
  const before = await storeCpu(server);
  const child = spawn("/usr/bin/time", ["-o", timeFile, "-f", "%e %U %S %M", ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}:\n${stderr}`);
  const [wall, user, sys, rssKb] = (await readFile(timeFile, "utf8"))
    .trim()
    .split(/\s+/)
    .map(Number);
  const sample: Sample = {
    wall,
    cpu: user + sys,
    storeCpu: (await storeCpu(server)) - before,
    rssMb: rssKb / 1024,
  };
  return { sample, stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Medians of the samples, but the largest RSS: the peak is what a build machine must hold. */
export const medianSample = (list: Sample[]): Sample => ({
  wall: median(list.map((s) => s.wall)),
  cpu: median(list.map((s) => s.cpu)),
  storeCpu: median(list.map((s) => s.storeCpu)),
  rssMb: Math.max(...list.map((s) => s.rssMb)),
});

const cell = (n: number) => n.toFixed(2).padStart(7);
export const row = (label: string, s: Sample, extra = "") =>
  `${label.padEnd(12)}${cell(s.wall)}${cell(s.cpu)}${cell(s.storeCpu)}${cell(s.rssMb)}${extra}`;
export const header = () =>
  `${"".padEnd(12)}${"wall s".padStart(7)}${"cpu s".padStart(7)}${"minio".padStart(7)}${"RSS MB".padStart(7)}`;
