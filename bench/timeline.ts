/**
 * A cold `lambda-package build` as a timeline, from V8's CPU profiles of
 * every thread (`node --cpu-prof`, one file per thread, all on one clock):
 * when each thread was busy, and what the main thread spent its time on.
 * With as much CPU as Info-ZIP and two cores, the build's wall time is set
 * by how long only one thread has work: the head before the zip threads
 * start, and the tail after they stop.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One thread's profile: when it was busy (µs on the profiles' clock) and on what. */
export interface ThreadTimeline {
  readonly start: number;
  readonly end: number;
  /**
   * Time not idle, ms: on a CPU or waiting for one (the sampler cannot tell
   * them apart), so with more threads than cores it is more than the CPU.
   */
  readonly busyMs: number;
  /** Idle samples: when (µs) and for how long (ms). */
  readonly idle: readonly [number, number][];
  /** First and last non-idle sample, µs. */
  readonly firstBusy: number;
  readonly lastBusy: number;
  /** Busy ms by phase (the first of PHASES on the sample's stack), with when it was first and last seen. */
  readonly phases: Map<string, { busyMs: number; first: number; last: number }>;
}

/**
 * Steps of the build, most specific first: a sample is charged to the first
 * of these whose function is on its stack. After an `await`, V8 only sees
 * the resumed function, so the walk's own functions are listed too.
 */
export const PHASES = [
  // On the zip threads: compressing, and stat'ing a share of a snapshot.
  "runJob",
  "statAll",
  "assertUnchanged",
  "snapshot",
  "hashFile",
  "zipContents",
  "runInOrder",
  "planUnits",
  "sortEntries",
  "checkNativeCode",
  "calloutContents",
  "calloutIgnored",
  "buildReads",
  "packagesOf",
  "sbomDocument",
  "checkHandler",
  "assertWithinLimits",
  "overlay",
  "walkDirectory",
  "runPackager",
  "stage",
  "preflight",
] as const;

const IDLE = "(idle)";
/** Not a step of the build: module loading, V8's own work, output. */
export const OTHER = "(loading, GC, other)";

export function threadTimeline(profile: CpuProfile): ThreadTimeline {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map<number, string>();
  const phase = (id: number): string => {
    let found = phaseOf.get(id);
    if (found !== undefined) return found;
    if (byId.get(id)!.callFrame.functionName === IDLE) found = IDLE;
    else {
      const names = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        names.add(byId.get(at)!.callFrame.functionName);
      }
      found = PHASES.find((p) => names.has(p)) ?? OTHER;
    }
    phaseOf.set(id, found);
    return found;
  };
  const phases = new Map<string, { busyMs: number; first: number; last: number }>();
  let t = profile.startTime;
  let busy = 0;
  const idle: [number, number][] = [];
  let firstBusy = Infinity;
  let lastBusy = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const name = phase(profile.samples[i]);
    if (name === IDLE) {
      idle.push([t, ms]);
      continue;
    }
    busy += ms;
    firstBusy = Math.min(firstBusy, t);
    lastBusy = Math.max(lastBusy, t);
    const p = phases.get(name) ?? { busyMs: 0, first: t, last: t };
    p.busyMs += ms;
    p.last = t;
    phases.set(name, p);
  }
  return {
    start: profile.startTime,
    end: profile.endTime,
    busyMs: busy,
    idle,
    firstBusy,
    lastBusy,
    phases,
  };
}

/** Every thread's timeline from the profiles in `dir`, the main thread first. */
export async function readTimelines(dir: string): Promise<ThreadTimeline[]> {
  // Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is 0.
  const files = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"));
  const threadId = (f: string) => Number(f.split(".").at(-3));
  files.sort((a, b) => threadId(a) - threadId(b));
  return Promise.all(
    files.map(async (f) =>
      threadTimeline(JSON.parse(await readFile(path.join(dir, f), "utf8")) as CpuProfile),
    ),
  );
}

/** The figures of one build's timeline, ms from the main thread's profile start. */
export interface BuildTimeline {
  /** When the main thread's profile starts, µs on the monotonic clock. */
  origin: number;
  /** Main thread's profile start to its end (the process's start-up before it is not in it). */
  total: number;
  /** Until a zip thread first compressed: the main thread's work, mostly alone. */
  head: number;
  /** From the first compression job to the end of the last. */
  zipping: number;
  /** After the last compression job. */
  tail: number;
  /**
   * Main thread idle during the head and the tail, ms: waiting on I/O or
   * another thread while nothing else runs, the cheapest time to win back.
   */
  headIdle: number;
  tailIdle: number;
  /** Busy ms of the main thread, and of the zip threads together. */
  mainBusy: number;
  workerBusy: number;
  /** Zip threads' busy ms, together: compressing, stat'ing, and the rest (start-up, messages, GC). */
  workerJobs: number;
  workerStat: number;
  /** Main-thread busy ms by phase, in order of first use. */
  phases: [string, { busyMs: number; first: number; last: number }][];
}

export function buildTimeline(threads: readonly ThreadTimeline[]): BuildTimeline {
  const [main, ...workers] = threads;
  const origin = main.start;
  // The zip threads start, and stat, before they compress: the head lasts
  // until the first compression job. A zip small enough to compress on the
  // main thread has no zip threads: all of it is head.
  const jobs = workers.map((w) => w.phases.get("runJob")).filter((p) => p !== undefined);
  const firstWorker = jobs.length ? Math.min(...jobs.map((p) => p.first)) : main.end;
  const lastWorker = jobs.length ? Math.max(...jobs.map((p) => p.last)) : main.end;
  const ms = (t: number) => (t - origin) / 1000;
  return {
    origin,
    total: ms(main.end),
    head: ms(firstWorker),
    zipping: (lastWorker - firstWorker) / 1000,
    tail: ms(main.end) - ms(lastWorker),
    headIdle: main.idle.filter(([t]) => t < firstWorker).reduce((sum, [, d]) => sum + d, 0),
    tailIdle: main.idle.filter(([t]) => t > lastWorker).reduce((sum, [, d]) => sum + d, 0),
    mainBusy: main.busyMs,
    workerBusy: workers.reduce((sum, w) => sum + w.busyMs, 0),
    workerJobs: workers.reduce((sum, w) => sum + (w.phases.get("runJob")?.busyMs ?? 0), 0),
    workerStat: workers.reduce((sum, w) => sum + (w.phases.get("statAll")?.busyMs ?? 0), 0),
    phases: [...main.phases]
      .sort((a, b) => a[1].first - b[1].first)
      .map(([name, p]) => [name, { busyMs: p.busyMs, first: ms(p.first), last: ms(p.last) }]),
  };
}
