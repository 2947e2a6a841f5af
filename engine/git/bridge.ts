/**
 * `runGitBatch` for synchronous callers, without a fork of the caller per
 * call. `gitSourceKey` must answer synchronously (it goes straight into a
 * resource's args), and a program calls it once per function, in a loop
 * that runs before its first resource reaches the engine: each call started
 * from the program is a fork of all its memory (a few hundred MB with the
 * SDKs), which made a `gitSourceKey` per function cost a preview of 50
 * functions about half a second before the engine saw a resource.
 *
 * From a process's second call on, the batch goes to a worker thread, which
 * hands it to the small helper process of ./runner.ts (forked once); the
 * caller sleeps on a shared flag (`Atomics.wait`) and takes the answer with
 * `receiveMessageOnPort`. The first call runs git directly and starts the
 * worker for the next ones, so a program with one key pays no start-up.
 * Whatever the bridge cannot answer (it failed to start, it timed out, an
 * error that is not git's) runs directly, so the outputs and the errors are
 * always `runGitBatch`'s.
 */
import path from "node:path";
import {
  isMainThread,
  MessageChannel,
  receiveMessageOnPort,
  SHARE_ENV,
  Worker,
  workerData,
  type MessagePort,
} from "node:worker_threads";
import { GitCommandFailed, runGitBatch, type GitRunOptions } from "./run";
import { runGitBatchAside } from "./runner";

interface Bridge {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** [0]: 0 while a batch is out, 1 once its answer is on the port; [1]: 1 once the worker runs. */
  readonly flag: Int32Array;
}

interface BridgeRequest {
  readonly commands: readonly (readonly string[])[];
  readonly cwd: string;
}

type BridgeReply =
  | { readonly outputs: string[] }
  | { readonly failed: { args: string[]; status: number | null; stderr: string } }
  | { readonly error: string };

/** Longer than any git batch should take: past it, the bridge is given up and git runs here. */
const WAIT_MS = 60_000;
/**
 * How long a worker may take to start (some 50 ms). While the caller waits,
 * its event loop cannot hear that the worker failed, so it waits this long
 * for the worker to say it runs before it runs git itself.
 */
const START_MS = 2_000;

let bridge: Bridge | undefined;
let started = false;

/** `runGitBatch(commands, options)`, the same outputs and failures, through the bridge when it can. */
export function runGitBatchSync(
  commands: readonly (readonly string[])[],
  options: GitRunOptions,
): string[] {
  if (!started) {
    started = true;
    bridge = startBridge();
    return runGitBatch(commands, options);
  }
  const reply = bridge && ask(bridge, { commands, cwd: options.cwd });
  if (reply && "outputs" in reply) return reply.outputs;
  if (reply && "failed" in reply) {
    const { args, status, stderr } = reply.failed;
    throw new GitCommandFailed(args, status, stderr);
  }
  return runGitBatch(commands, options);
}

function ask(running: Bridge, request: BridgeRequest): BridgeReply | undefined {
  if (Atomics.wait(running.flag, 1, 0, START_MS) === "timed-out") {
    giveUp(running);
    return undefined;
  }
  Atomics.store(running.flag, 0, 0);
  running.port.postMessage(request);
  if (Atomics.wait(running.flag, 0, 0, WAIT_MS) === "timed-out") {
    giveUp(running);
    return undefined;
  }
  const reply = receiveMessageOnPort(running.port)?.message as BridgeReply | undefined;
  if (!reply || "error" in reply) return undefined;
  return reply;
}

function startBridge(): Bridge | undefined {
  // Bundled into another file, a worker of `__filename` would run that whole bundle.
  if (path.basename(__filename, path.extname(__filename)) !== "bridge") return undefined;
  try {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(__filename, {
      workerData: { gitBridge: true, port: port2, flag },
      transferList: [port2],
      // The caller's PATH as it is when it asks, not a copy from when the worker started.
      env: SHARE_ENV,
    });
    // Neither keeps the program alive: the worker only ever works while a caller waits for it.
    worker.unref();
    port1.unref();
    worker.on("error", () => giveUp(bridgeOf(worker)));
    worker.on("exit", () => giveUp(bridgeOf(worker)));
    return { worker, port: port1, flag };
  } catch {
    return undefined;
  }
}

function bridgeOf(worker: Worker): Bridge | undefined {
  return bridge?.worker === worker ? bridge : undefined;
}

function giveUp(running: Bridge | undefined): void {
  if (!running || bridge !== running) return;
  bridge = undefined;
  void running.worker.terminate();
}

/** The worker's side: each batch to the helper process, the answer on the port, then the flag. */
function serve(port: MessagePort, flag: Int32Array): void {
  port.on("message", (request: BridgeRequest) => {
    runGitBatchAside(request.commands, { cwd: request.cwd }).then(
      (outputs) => answer({ outputs }),
      (error: unknown) =>
        answer(
          error instanceof GitCommandFailed
            ? { failed: { args: [...error.args], status: error.status, stderr: error.stderr } }
            : { error: error instanceof Error ? error.message : String(error) },
        ),
    );
  });
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
  function answer(reply: BridgeReply): void {
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
}

const data = workerData as { gitBridge?: boolean; port?: MessagePort; flag?: Int32Array } | null;
if (!isMainThread && data?.gitBridge && data.port && data.flag) serve(data.port, data.flag);
