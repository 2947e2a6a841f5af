import path from "node:path";
import { Worker } from "node:worker_threads";
import { runJob, type JobResult } from "./compress";
import type { Job } from "./plan";
import { slotBuffer } from "./slots";
import type { RepeatsView } from "./repeats";
import type { StoreView } from "./store/reuse";

/**
 * Runs compression jobs, each writing into its own output slot (slots.ts).
 */
export interface Compressor {
  /** Whether another job can be handed over now without queueing behind two others. */
  hasRoom(): boolean;
  run(job: Job, slot: number): Promise<JobResult>;
  /** Stops every thread; jobs still running are rejected. */
  close(): Promise<void>;
}

/** Compresses on the calling thread: for zips so small that starting threads costs more. */
export function inlineCompressor(
  slots: SharedArrayBuffer,
  store?: StoreView,
  repeats?: RepeatsView,
): Compressor {
  return {
    hasRoom: () => true,
    run: (job, slot) => Promise.resolve(runJob(job, slotBuffer(slots, slot), store, repeats)),
    close: () => Promise.resolve(),
  };
}

/** Jobs queued per worker: one running, one waiting, so no worker idles while a result travels. */
const QUEUE_PER_WORKER = 2;

/** What a worker is asked: a compression job, or the stat of files (for a zip's snapshots). */
export type WorkerMessage =
  | {
      readonly job: Job;
      readonly slots: SharedArrayBuffer;
      readonly slot: number;
      readonly store?: StoreView;
      readonly repeats?: RepeatsView;
    }
  | { readonly stat: readonly string[] };

interface Thread {
  readonly worker: Worker;
  readonly pending: { resolve(result: unknown): void; reject(error: Error): void }[];
  /** Set once the thread died: it is replaced before the next job. */
  broken?: Error;
  /** Set once the thread runs its own code: it has started up. */
  online?: boolean;
}

/**
 * Zip worker threads shared by every zip this process writes, so 50 packages
 * built at once by one provider process compress on one set of threads, not
 * 50. A zip's output slots travel with each job (a SharedArrayBuffer is
 * shared, not copied). Idle threads do not keep the process alive.
 */
export class WorkerPool {
  private readonly threads: Thread[] = [];
  private pendingJobs = 0;

  constructor(private readonly count: number) {}

  /** Number of threads. */
  get size(): number {
    return this.count;
  }

  /**
   * A compressor writing into `slots`, for one zip, reusing streams from
   * `store` and the zip's own repeats. Closing it leaves the threads to others.
   */
  compressor(slots: SharedArrayBuffer, store?: StoreView, repeats?: RepeatsView): Compressor {
    return {
      hasRoom: () => this.leastBusy().pending.length < QUEUE_PER_WORKER,
      run: (job, slot) => this.run<JobResult>({ job, slots, slot, store, repeats }),
      close: () => Promise.resolve(),
    };
  }

  /**
   * Starts the threads not running yet, so that their start-up (tens of
   * milliseconds each) overlaps what the caller does before its first job.
   */
  startThreads(): void {
    this.leastBusy();
  }

  /** Whether every thread has started up (a thread takes tens of milliseconds to). */
  isOnline(): boolean {
    return this.threads.length === this.count && this.threads.every((t) => t.online && !t.broken);
  }

  /**
   * `StatFiles` (unchanged.ts) on every thread at once, a share each: a
   * zip's snapshot of 15,000 files is serial time, before the first job and
   * after the last, that the other cores would otherwise sit out.
   */
  async statFiles(files: readonly string[]): Promise<Float64Array> {
    const share = Math.ceil(files.length / this.count);
    const parts: Promise<Float64Array>[] = [];
    for (let at = 0; at < files.length; at += share) {
      parts.push(this.run<Float64Array>({ stat: files.slice(at, at + share) }));
    }
    const out = new Float64Array(2 * files.length);
    let at = 0;
    for (const part of await Promise.all(parts)) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private run<T>(message: WorkerMessage): Promise<T> {
    const thread = this.leastBusy();
    // While jobs are out, the threads keep the process alive; idle, they do not.
    if (this.pendingJobs++ === 0) for (const t of this.threads) t.worker.ref();
    return new Promise<T>((resolve, reject) => {
      thread.pending.push({ resolve, reject });
      thread.worker.postMessage(message);
    }).finally(() => {
      if (--this.pendingJobs === 0) for (const t of this.threads) t.worker.unref();
    });
  }

  private leastBusy(): Thread {
    for (let i = 0; i < this.count; i++) {
      const thread = this.threads[i];
      if (!thread || thread.broken) this.threads[i] = this.start();
    }
    return this.threads.reduce((best, t) => (t.pending.length < best.pending.length ? t : best));
  }

  private start(): Thread {
    const worker = new Worker(path.join(__dirname, "worker.js"), {
      // Buffers live outside the heap; a small heap keeps each thread's RSS down.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
    });
    if (this.pendingJobs === 0) worker.unref();
    const thread: Thread = { worker, pending: [] };
    worker.once("online", () => (thread.online = true));
    const fail = (error: Error) => {
      thread.broken ??= error;
      for (const p of thread.pending.splice(0)) p.reject(error);
    };
    // A worker answers its jobs in the order it got them.
    worker.on("message", (result: unknown) => thread.pending.shift()?.resolve(result));
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`zip worker thread exited with code ${code}`)));
    return thread;
  }
}

const pools = new Map<number, WorkerPool>();

/** The process's pool of `count` zip worker threads, made on first use. */
export function sharedPool(count: number): WorkerPool {
  let pool = pools.get(count);
  if (!pool) pools.set(count, (pool = new WorkerPool(count)));
  return pool;
}
