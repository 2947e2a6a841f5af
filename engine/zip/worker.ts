/**
 * Worker thread of the zipper: runs jobs in the order they arrive, writing
 * each one's output into the slot it names of the zip's shared slots, and
 * answers with the CRCs and lengths.
 */
import { parentPort } from "node:worker_threads";
import { runJob } from "./compress";
import type { Job } from "./plan";
import { slotBuffer } from "./slots";
import type { StoreView } from "./store/reuse";

const port = parentPort;
if (!port) throw new Error("engine/zip/worker.js must run as a worker thread");

interface Message {
  job: Job;
  slots: SharedArrayBuffer;
  slot: number;
  store?: StoreView;
}

port.on("message", ({ job, slots, slot, store }: Message) => {
  port.postMessage(runJob(job, slotBuffer(slots, slot), store));
});
