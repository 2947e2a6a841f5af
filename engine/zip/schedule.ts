import type { JobResult } from "./compress";
import type { Unit } from "./plan";
import type { Compressor } from "./pool";
import { SLOT_BYTES, slotBuffer } from "./slots";

/** How a run can be stopped, and who wants to know that it has begun. */
export interface RunControl {
  /** Once it fires, no job is handed out and the run rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Called once the first jobs are on the compressor. */
  readonly onStarted?: () => void;
}

/**
 * Runs every unit on `compressor`, keeping it busy, and calls `write` with
 * the results strictly in unit order. A failing `write` (or job), or an
 * abort, stops the hand-out of new jobs; the caller closes the compressor.
 */
export async function runInOrder(
  units: readonly Unit[],
  compressor: Compressor,
  slots: SharedArrayBuffer,
  write: (unit: Unit, result: JobResult, output: Buffer) => Promise<void>,
  control: RunControl = {},
): Promise<void> {
  const { signal } = control;
  const free = Array.from({ length: slots.byteLength / SLOT_BYTES }, (_, i) => i);
  const started: ({ result: Promise<JobResult>; slot: number } | undefined)[] = [];
  let next = 0;
  let stopped = false;
  const start = () => {
    const slot = free.pop()!;
    const result = compressor.run(units[next].job, slot);
    // Each finished job may free a queue place; its rejection is seen when its turn comes.
    result.then(handOut, () => {});
    started[next++] = { result, slot };
  };
  const handOut = () => {
    while (
      !stopped &&
      !signal?.aborted &&
      next < units.length &&
      free.length > 0 &&
      compressor.hasRoom()
    )
      start();
  };
  try {
    for (let i = 0; i < units.length; i++) {
      signal?.throwIfAborted();
      handOut();
      // The threads may be busy with other zips' jobs: the unit whose turn it
      // is goes in the queue anyway, or this zip would wait for nothing.
      if (!started[i]) start();
      if (i === 0) control.onStarted?.();
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
