import path from "node:path";
import { Worker } from "node:worker_threads";
import { runJob, type JobResult } from "./compress";
import type { Job } from "./plan";
import { slotBuffer } from "./slots";

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
export function inlineCompressor(slots: SharedArrayBuffer): Compressor {
  return {
    hasRoom: () => true,
    run: (job, slot) => Promise.resolve(runJob(job, slotBuffer(slots, slot))),
    close: () => Promise.resolve(),
  };
}

/** Jobs queued per worker: one running, one waiting, so no worker idles while a result travels. */
const QUEUE_PER_WORKER = 2;

interface Thread {
  readonly worker: Worker;
  readonly pending: { resolve(result: JobResult): void; reject(error: Error): void }[];
  /** Set once the thread died: later jobs fail at once instead of waiting forever. */
  broken?: Error;
}

/** `count` worker threads running engine/zip/worker.js on `slots`. */
export function workerPool(count: number, slots: SharedArrayBuffer): Compressor {
  let closed = false;
  const threads: Thread[] = [];
  const fail = (thread: Thread, error: Error) => {
    thread.broken ??= error;
    for (const p of thread.pending.splice(0)) p.reject(error);
  };
  for (let i = 0; i < count; i++) {
    const worker = new Worker(path.join(__dirname, "worker.js"), {
      workerData: { slots },
      // Buffers live outside the heap; a small heap keeps each thread's RSS down.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
    });
    const thread: Thread = { worker, pending: [] };
    // A worker answers its jobs in the order it got them.
    worker.on("message", (result: JobResult) => thread.pending.shift()?.resolve(result));
    worker.on("error", (error: Error) => fail(thread, error));
    worker.on("exit", (code) => {
      if (!closed) fail(thread, new Error(`zip worker thread exited with code ${code}`));
    });
    threads.push(thread);
  }
  const leastBusy = () =>
    threads.reduce((best, t) => (t.pending.length < best.pending.length ? t : best));
  return {
    hasRoom: () => leastBusy().pending.length < QUEUE_PER_WORKER,
    run(job, slot) {
      const thread = leastBusy();
      return new Promise<JobResult>((resolve, reject) => {
        if (thread.broken) return reject(thread.broken);
        thread.pending.push({ resolve, reject });
        thread.worker.postMessage({ job, slot });
      });
    },
    async close() {
      closed = true;
      for (const thread of threads) fail(thread, new Error("zip worker pool closed"));
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
