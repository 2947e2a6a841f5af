/**
 * `npm run bench:profile`: where a cold `copy` build's time goes, file by
 * file, on the npm tree (or any tree). Each step of the build runs on its
 * own, in this process, and is charged its wall time, CPU user and sys
 * (every thread of the process, from getrusage) and voluntary context
 * switches, the sign of hand-offs between threads:
 *
 * - walk: listing the tree as the stage does (lstat per entry);
 * - snapshot: the zip's stat of every file after it read them all (the one before comes
 *   from the walk's);
 * - read: the zip's per-file code on this thread at level 0 (open, read,
 *   size check, CRC-32, copy out), no workers;
 * - deflate: the same at level 9, minus the level-0 pass: deflate alone;
 * - writeZip 1 thread / N threads: the whole zipper as a build runs it;
 *   its CPU beyond read + deflate is hand-offs, the writer and the snapshots;
 * - build: `lambda-package build --runtime copy` in-process, packager,
 *   audit and reads included; beyond writeZip and the walk is the rest.
 *
 * Then the timeline (bench/timeline.ts): the CLI's cold `build --runtime
 * copy` as its own process under `node --cpu-prof`, split into the head
 * (until the first compression job starts), the zipping and the tail (after
 * the last one ends), each thread's busy time, and
 * the main thread's by step with when it ran. Head and tail are the serial
 * part, which a second core cannot shorten. `--only timeline` runs it alone;
 * `--cli` times another checkout's `dist/cli/main.js` (the code before a change);
 * `--warm` times the timeline's builds with a zip store filled by one build
 * before (engine/zip/store): what is left of a build when nothing is deflated.
 *
 *   node dist/bench/profile.js [--tree DIR] [--runs N] [--only steps|timeline] [--cli FILE]
 *     [--warm]
 *
 * Each figure is the median of `--runs` (default 3) of that step.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { build } from "../engine/build";
import { excludeMatcher } from "../engine/stage/exclude";
import { collectFiles } from "../engine/stage/walk";
import { writeZip, type ZipEntry } from "../engine/zip";
import { runJob } from "../engine/zip/compress";
import { planUnits, sortEntries } from "../engine/zip/plan";
import { SLOT_BYTES } from "../engine/zip/slots";
import { snapshot } from "../engine/zip/unchanged";
import { ZIP_EPOCH } from "../engine/options";
import { benchFlags, median } from "./measure";
import { mainCpuAt, sampleThreads } from "./threads";
import { buildTimeline, readTimelines, type BuildTimeline } from "./timeline";
import { npmTree } from "./trees";

// First builds are what is measured: no zip store (engine/zip/store) reuses an earlier run's work.
process.env.LAMBDA_PACKAGE_ZIP_STORE = "off";

interface Cost {
  wall: number;
  user: number;
  sys: number;
  switches: number;
}

/** Runs `step` and charges it what the process spent meanwhile. */
async function cost(step: () => unknown): Promise<Cost> {
  const before = process.resourceUsage();
  const started = performance.now();
  await step();
  const wall = (performance.now() - started) / 1000;
  const after = process.resourceUsage();
  return {
    wall,
    user: (after.userCPUTime - before.userCPUTime) / 1e6,
    sys: (after.systemCPUTime - before.systemCPUTime) / 1e6,
    switches: after.voluntaryContextSwitches - before.voluntaryContextSwitches,
  };
}

async function medianCost(runs: number, step: () => unknown): Promise<Cost> {
  const all: Cost[] = [];
  for (let i = 0; i < runs; i++) all.push(await cost(step));
  const pick = (k: keyof Cost) => median(all.map((c) => c[k]));
  return { wall: pick("wall"), user: pick("user"), sys: pick("sys"), switches: pick("switches") };
}

/** Every unit of the zip run on this thread, as a worker runs it. */
function runAllInline(entries: readonly ZipEntry[], level: number): void {
  const out = Buffer.allocUnsafe(SLOT_BYTES);
  for (const unit of planUnits(sortEntries(entries), level).units) {
    const result = runJob(unit.job, out);
    if (result.kind === "error") throw new Error(`${result.file}: ${result.message}`);
  }
}

async function main(): Promise<void> {
  const { runs, values } = benchFlags("bench/profile.ts", {
    tree: { type: "string" },
    only: { type: "string" },
    cli: { type: "string" },
    warm: { type: "boolean" },
  });
  const cli = typeof values.cli === "string" ? path.resolve(values.cli) : CLI;
  const only = typeof values.only === "string" ? values.only : undefined;
  const tree = typeof values.tree === "string" ? path.resolve(values.tree) : await npmTree();
  const profileRuns = process.argv.includes("--runs") ? runs : 3;
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-profile-"));
  const threads = Math.min(os.availableParallelism(), 8);
  try {
    const entries = await collectFiles(tree, { exclude: excludeMatcher(), allowedRoots: [] });
    const files = entries.length;
    const bytes = entries.reduce((sum, e) => sum + e.size, 0);
    console.log(
      `${tree}: ${files} files, ${(bytes / 1e6).toFixed(1)} MB; node ${process.version} ` +
        `(zlib ${process.versions.zlib}), ${os.availableParallelism()} CPUs, medians of ${profileRuns}`,
    );
    if (only !== "timeline") await steps(entries, tree, work, profileRuns, threads);
    if (only !== "steps") await timeline(cli, tree, work, profileRuns, values.warm === true);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Each step of the build on its own, in this process. */
async function steps(
  entries: readonly ZipEntry[],
  tree: string,
  work: string,
  profileRuns: number,
  threads: number,
): Promise<void> {
  const files = entries.length;
  const walk = () => collectFiles(tree, { exclude: excludeMatcher(), allowedRoots: [] });
  const zipTo = (name: string, concurrency?: number) => () =>
    writeZip(entries, path.join(work, name), { level: 9, mtime: ZIP_EPOCH, concurrency });
  const rows: [string, Cost][] = [];
  const step = async (name: string, fn: () => unknown) => {
    const c = await medianCost(profileRuns, fn);
    rows.push([name, c]);
    return c;
  };
  await step("walk (lstat per entry)", walk);
  const planned = sortEntries(entries);
  await step("snapshot (stat per file, once in a zip: the first comes from the walk)", () =>
    snapshot(planned),
  );
  const read = await step("read + CRC-32 (level 0, this thread)", () => runAllInline(entries, 0));
  const level9 = await medianCost(profileRuns, () => runAllInline(entries, 9));
  rows.push([
    "deflate -9 alone (level 9 - level 0)",
    {
      wall: level9.wall - read.wall,
      user: level9.user - read.user,
      sys: level9.sys - read.sys,
      switches: level9.switches - read.switches,
    },
  ]);
  await step("writeZip, 1 worker", zipTo("one.zip", 1));
  await step(`writeZip, ${threads} workers`, zipTo("many.zip"));
  await step("build --runtime copy (in-process)", () =>
    build({ sourcePath: tree, runtime: "copy", outFile: path.join(work, "build.zip") }),
  );
  const table: Record<string, Record<string, string>> = {};
  for (const [name, c] of rows) {
    table[name] = {
      "wall s": c.wall.toFixed(2),
      "user s": c.user.toFixed(2),
      "sys s": c.sys.toFixed(2),
      "CPU µs/file": (((c.user + c.sys) / files) * 1e6).toFixed(0),
      "vol. switches": c.switches.toFixed(0),
    };
  }
  console.table(table);
}

const CLI = path.join(__dirname, "..", "cli", "main.js");

/** One timed build: its timeline, and CPU seconds from /proc (bench/threads.ts). */
interface TimelineRun {
  build: BuildTimeline;
  /** Spawn to exit, ms. */
  wall: number;
  /** Node's start-up before the profiler starts, ms. */
  startup: number;
  /** Main-thread CPU ms in the head (from the process's start) and in the tail. */
  headCpu: number;
  tailCpu: number;
  /** CPU ms of the main thread, the zip threads and the helper threads, whole run. */
  mainCpu: number;
  workerCpu: number;
  helperCpu: number;
}

/**
 * The CLI's cold build under `--cpu-prof`, `runs` times, its threads' CPU
 * sampled from /proc meanwhile: each figure is a median over the runs. The
 * profiler's own cost (a sample every 500 µs) makes every figure a little
 * larger than in `bench:build`. Busy times from the profiles are wall time
 * and grow with the machine's load; the CPU figures hardly do.
 */
async function timeline(
  cli: string,
  tree: string,
  work: string,
  runs: number,
  warm: boolean,
): Promise<void> {
  const all: TimelineRun[] = [];
  const env = { ...process.env };
  if (warm) {
    env.LAMBDA_PACKAGE_ZIP_STORE = path.join(work, "store");
    const out = path.join(work, "fill.zip");
    const fill = spawn(process.execPath, [cli, "build", tree, "--runtime", "copy", "--out", out], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
    const [code] = (await once(fill, "exit")) as [number | null];
    if (code !== 0) throw new Error(`${cli} build ${tree} exited ${code} filling the store`);
  }
  for (let i = 0; i < runs; i++) {
    const dir = path.join(work, `timeline-${i}`);
    await mkdir(dir);
    const args = [
      "--cpu-prof",
      "--cpu-prof-interval=500",
      `--cpu-prof-dir=${dir}`,
      cli,
      "build",
      tree,
      "--runtime",
      "copy",
      "--out",
      path.join(dir, "out.zip"),
    ];
    const now = () => Number(process.hrtime.bigint() / 1000n);
    const spawned = now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"], env });
    const sampler = sampleThreads(child.pid!);
    const [code] = (await once(child, "exit")) as [number | null];
    const exited = now();
    const readings = sampler.stop();
    if (code !== 0) throw new Error(`${cli} build ${tree} exited ${code}`);
    const build = buildTimeline(await readTimelines(dir));
    const last = readings[readings.length - 1];
    const firstJob = build.origin + build.head * 1000;
    const lastJob = build.origin + (build.total - build.tail) * 1000;
    all.push({
      build,
      wall: (exited - spawned) / 1000,
      startup: (build.origin - spawned) / 1000,
      headCpu: mainCpuAt(readings, firstJob) * 1000,
      tailCpu: (last.main - mainCpuAt(readings, lastJob)) * 1000,
      mainCpu: last.main * 1000,
      workerCpu: last.workers * 1000,
      helperCpu: last.helpers * 1000,
    });
    await rm(dir, { recursive: true, force: true });
  }
  const m = (pick: (b: BuildTimeline) => number) => median(all.map((r) => pick(r.build)));
  const r = (pick: (run: TimelineRun) => number) => median(all.map(pick));
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(
    `\nbuild --runtime copy${warm ? " (warm zip store)" : ""} under --cpu-prof: ${ms(r((x) => x.wall))} wall: node start-up ` +
      `${ms(r((x) => x.startup))}, head ${ms(m((b) => b.head))} (main thread idle ` +
      `${ms(m((b) => b.headIdle))}), zipping ${ms(m((b) => b.zipping))}, tail ` +
      `${ms(m((b) => b.tail))} (idle ${ms(m((b) => b.tailIdle))}).\n` +
      `CPU (/proc): serial, the main thread's from the process's start to the first job ` +
      `${ms(r((x) => x.headCpu))} and after the last ${ms(r((x) => x.tailCpu))}; main thread ` +
      `${ms(r((x) => x.mainCpu))}, zip threads ${ms(r((x) => x.workerCpu))}, V8's and libuv's ` +
      `helpers ${ms(r((x) => x.helperCpu))}.\n` +
      `Busy (profiles, wall time not idle): main thread ${ms(m((b) => b.mainBusy))}, zip threads ` +
      `${ms(m((b) => b.workerBusy))} (compressing ${ms(m((b) => b.workerJobs))}, stat ` +
      `${ms(m((b) => b.workerStat))})`,
  );
  // Phases present in every run, in the order they first ran.
  const names = all[0].build.phases.map(([name]) => name);
  const table: Record<string, Record<string, string>> = {};
  for (const name of names) {
    const of = (b: BuildTimeline) => b.phases.find(([n]) => n === name)?.[1];
    if (!all.every((run) => of(run.build))) continue;
    table[name] = {
      "main thread busy ms": m((b) => of(b)!.busyMs).toFixed(0),
      "first ms": m((b) => of(b)!.first).toFixed(0),
      "last ms": m((b) => of(b)!.last).toFixed(0),
    };
  }
  console.table(table);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
