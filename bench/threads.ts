/**
 * The CPU time each thread of a running process has used so far, sampled
 * from /proc every few milliseconds: CPU, unlike a profiler's samples, does
 * not grow when other jobs on the machine keep a thread waiting for a core,
 * so the serial CPU of a build can be told apart from the load around it.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Cumulative CPU seconds (user + sys) at `at` (µs, the monotonic clock V8's profiles use). */
export interface ThreadCpu {
  readonly at: number;
  /** The main thread. */
  readonly main: number;
  /** Worker threads (`new Worker`): the zip's. */
  readonly workers: number;
  /** V8's and libuv's helper threads: compiling, GC, the thread pool. */
  readonly helpers: number;
}

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS = 100;

type Kind = "main" | "workers" | "helpers";

/** CPU seconds of each thread of `pid` now, or undefined once it has exited. */
function read(pid: number): Map<string, { kind: Kind; seconds: number }> | undefined {
  const threads = new Map<string, { kind: Kind; seconds: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      // comm is in parentheses and may hold spaces: the fields after it are split.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
      const kind = tid === String(pid) ? "main" : comm === "WorkerThread" ? "workers" : "helpers";
      threads.set(tid, { kind, seconds });
    }
  } catch {
    return undefined; // the process (or a thread) ended between the listing and the read
  }
  return threads;
}

/**
 * Samples `pid` every `everyMs` until `stop`, which returns the readings. A
 * thread that ended keeps counting with its last reading: its CPU leaves
 * /proc with it.
 */
export function sampleThreads(pid: number, everyMs = 5): { stop(): ThreadCpu[] } {
  const readings: ThreadCpu[] = [];
  const seen = new Map<string, { kind: Kind; seconds: number }>();
  const take = () => {
    const at = Number(process.hrtime.bigint() / 1000n);
    const now = read(pid);
    if (!now) return;
    for (const [tid, t] of now) seen.set(tid, t);
    const sum = { main: 0, workers: 0, helpers: 0 };
    for (const t of seen.values()) sum[t.kind] += t.seconds;
    readings.push({ at, ...sum });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return readings;
    },
  };
}

/** The main thread's CPU seconds at `at`, between the readings around it. */
export function mainCpuAt(readings: readonly ThreadCpu[], at: number): number {
  if (readings.length === 0) return 0;
  if (at <= readings[0].at) return readings[0].main;
  for (let i = 1; i < readings.length; i++) {
    const [a, b] = [readings[i - 1], readings[i]];
    if (at <= b.at) return a.main + ((b.main - a.main) * (at - a.at)) / (b.at - a.at || 1);
  }
  return readings[readings.length - 1].main;
}
