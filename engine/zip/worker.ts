/**
 * Worker thread of the zipper: runs jobs in the order they arrive, writing
 * each one's output into the slot it names of the zip's shared slots, and
 * answers with the CRCs and lengths; or stats a share of a zip's files for
 * its snapshot.
 */
import { parentPort } from "node:worker_threads";
import { runJob } from "./compress";
import type { WorkerMessage } from "./pool";
import { slotBuffer } from "./slots";
import { statAll } from "./unchanged";

const port = parentPort;
if (!port) throw new Error("engine/zip/worker.js must run as a worker thread");

port.on("message", (message: WorkerMessage) => {
  if ("stat" in message) port.postMessage(statAll(message.stat));
  else {
    const { job, slots, slot, store, repeats } = message;
    port.postMessage(runJob(job, slotBuffer(slots, slot), store, repeats));
  }
});
