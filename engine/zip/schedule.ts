import type { JobResult } from "./compress";
import { SLOT_BYTES, type Unit } from "./plan";
import { slotBuffer, type Compressor } from "./pool";

/**
 * Output slots for `threads` workers: each worker has two jobs queued, and
 * results finishing ahead of their turn wait in the rest. The slots are the
 * window that bounds memory however large the tree: a job is handed out only
 * when a slot is free, and a slot frees when its bytes are on disk.
 */
export function slotCount(threads: number): number {
  return Math.min(Math.max(4, 4 * threads), 32);
}

/** Shared memory for `count` slots. */
export function allocateSlots(count: number): SharedArrayBuffer {
  return new SharedArrayBuffer(count * SLOT_BYTES);
}

/**
 * Runs every unit on `compressor`, keeping it busy, and calls `write` with
 * the results strictly in unit order. A failing `write` (or job) stops the
 * hand-out of new jobs; the caller closes the compressor.
 */
export async function runInOrder(
  units: readonly Unit[],
  compressor: Compressor,
  slots: SharedArrayBuffer,
  write: (unit: Unit, result: JobResult, output: Buffer) => Promise<void>,
): Promise<void> {
  const free = Array.from({ length: slots.byteLength / SLOT_BYTES }, (_, i) => i);
  const started: ({ result: Promise<JobResult>; slot: number } | undefined)[] = [];
  let next = 0;
  let stopped = false;
  const handOut = () => {
    while (!stopped && next < units.length && free.length > 0 && compressor.hasRoom()) {
      const slot = free.pop()!;
      const result = compressor.run(units[next].job, slot);
      // Each finished job may free a queue place; its rejection is seen when its turn comes.
      result.then(handOut, () => {});
      started[next++] = { result, slot };
    }
  };
  try {
    for (let i = 0; i < units.length; i++) {
      handOut();
      const { result, slot } = started[i]!;
      started[i] = undefined;
      const done = await result;
      const length = done.kind === "error" ? 0 : done.length;
      await write(units[i], done, slotBuffer(slots, slot).subarray(0, length));
      free.push(slot);
    }
  } finally {
    stopped = true;
  }
}

const PROGRESS_INTERVAL_MS = 100;

/** Counts written units and reports at most every PROGRESS_INTERVAL_MS, and once at the end. */
export function throttledProgress(
  onProgress: ((done: { files: number; bytes: number }) => void) | undefined,
) {
  let files = 0;
  let bytes = 0;
  let last = 0;
  return {
    add(unit: Unit) {
      files += "entries" in unit ? unit.entries.length : unit.job.last ? 1 : 0;
      bytes += unit.bytes;
      const now = Date.now();
      if (onProgress && now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        onProgress({ files, bytes });
      }
    },
    end: () => onProgress?.({ files, bytes }),
  };
}
