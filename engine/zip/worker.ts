/**
 * Worker thread of the zipper: runs jobs in the order they arrive, writing
 * each one's output into the slot it names of the zip's shared slots, and
 * answers with the CRCs and lengths.
 */
import { parentPort } from "node:worker_threads";
import { runJob } from "./compress";
import type { Job } from "./plan";
import { slotBuffer } from "./slots";

const port = parentPort;
if (!port) throw new Error("engine/zip/worker.js must run as a worker thread");

port.on("message", ({ job, slots, slot }: { job: Job; slots: SharedArrayBuffer; slot: number }) => {
  port.postMessage(runJob(job, slotBuffer(slots, slot)));
});
