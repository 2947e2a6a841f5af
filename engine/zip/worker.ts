/**
 * Worker thread of the zipper: runs jobs in the order they arrive, writing
 * each one's output into the shared slot it names, and answers with the
 * CRCs and lengths.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runJob } from "./compress";
import type { Job } from "./plan";
import { slotBuffer } from "./slots";

const port = parentPort;
if (!port) throw new Error("engine/zip/worker.js must run as a worker thread");
const slots = (workerData as { slots: SharedArrayBuffer }).slots;

port.on("message", ({ job, slot }: { job: Job; slot: number }) => {
  port.postMessage(runJob(job, slotBuffer(slots, slot)));
});
