import type { JobResult } from "./compress";
import type { Unit } from "./plan";
import type { Compressor } from "./pool";
import { SLOT_BYTES, slotBuffer } from "./slots";

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
  const start = () => {
    const slot = free.pop()!;
    const result = compressor.run(units[next].job, slot);
    // Each finished job may free a queue place; its rejection is seen when its turn comes.
    result.then(handOut, () => {});
    started[next++] = { result, slot };
  };
  const handOut = () => {
    while (!stopped && next < units.length && free.length > 0 && compressor.hasRoom()) start();
  };
  try {
    for (let i = 0; i < units.length; i++) {
      handOut();
      // The threads may be busy with other zips' jobs: the unit whose turn it
      // is goes in the queue anyway, or this zip would wait for nothing.
      if (!started[i]) start();
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
