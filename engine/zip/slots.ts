/**
 * Output slots: shared memory that compression jobs write their bytes into.
 * The slots are allocated once per zip, so results make no garbage and
 * memory does not depend on when V8 gets round to collecting; their number
 * is the window that bounds memory however large the tree: a job is handed
 * out only when a slot is free, and a slot frees when its bytes are on disk.
 */
import { BATCH_BYTES } from "./plan";

/**
 * Room for one job's output. A batch keeps nothing larger than its files
 * (deflate output that does not shrink is stored) and holds at most
 * BATCH_BYTES; a chunk's deflate output stays within a few bytes of CHUNK.
 */
export const SLOT_BYTES = BATCH_BYTES;

/**
 * Slots for `threads` workers: each worker has two jobs queued, and results
 * finishing ahead of their turn wait in the rest.
 */
export function slotCount(threads: number): number {
  return Math.min(Math.max(4, 4 * threads), 32);
}

/** Shared memory for `count` slots. */
export function allocateSlots(count: number): SharedArrayBuffer {
  return new SharedArrayBuffer(count * SLOT_BYTES);
}

/** Slot `slot` of `slots`, SLOT_BYTES long. */
export function slotBuffer(slots: SharedArrayBuffer, slot: number): Buffer {
  return Buffer.from(slots, slot * SLOT_BYTES, SLOT_BYTES);
}
