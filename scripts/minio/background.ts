import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { defaultBinary, endpointOf, minioArgs, minioEnv, repoRoot } from "./config";
import { freePort, portOrFree, waitForMinio } from "./ports";
import {
  dataDirPath,
  isOurMinio,
  logPath,
  readState,
  removeState,
  runningInstance,
  writeState,
  type InstanceState,
} from "./state";

const STOP_TIMEOUT_MS = 10_000;

function ensureBinary(binary: string): void {
  if (existsSync(binary)) return;
  process.stderr.write(`minio: ${binary} is missing; building it with scripts/tools.sh\n`);
  const built = spawnSync("bash", [path.join(repoRoot(), "scripts", "tools.sh")], {
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (built.status !== 0 || !existsSync(binary)) {
    throw new Error(`building MinIO failed (scripts/tools.sh exited ${built.status})`);
  }
}

/** The running background server, or a new one started detached so it outlives this process. */
export async function startBackground(): Promise<{ state: InstanceState; started: boolean }> {
  const running = runningInstance();
  if (running) return { state: running, started: false };
  const binary = defaultBinary();
  ensureBinary(binary);
  const dataDir = dataDirPath();
  mkdirSync(dataDir, { recursive: true });
  // The same port as last time keeps exported variables valid across restarts.
  const port = await portOrFree(readState()?.port);
  const log = openSync(logPath(), "a");
  const child = spawn(binary, minioArgs(dataDir, port, await freePort()), {
    env: minioEnv(),
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  const state: InstanceState = { pid: child.pid ?? -1, port, dataDir };
  writeState(state);
  try {
    await waitForMinio(endpointOf(port), () => (isOurMinio(state) ? undefined : "MinIO exited"));
  } catch (error) {
    if (isOurMinio(state)) process.kill(state.pid, "SIGKILL");
    removeState();
    const tail = readFileSync(logPath(), "utf8").split("\n").slice(-20).join("\n");
    throw new Error(`${(error as Error).message}; ${logPath()} ends:\n${tail}`);
  }
  return { state, started: true };
}

/** Stops the background server (SIGTERM, SIGKILL after 10 s); its pid, or undefined if none ran. */
export async function stopBackground(): Promise<number | undefined> {
  const running = runningInstance();
  if (running) {
    process.kill(running.pid, "SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isOurMinio(running) && Date.now() < deadline) await sleep(100);
    if (isOurMinio(running)) process.kill(running.pid, "SIGKILL");
  }
  // Removed last: should stopping fail, the state still names the server.
  removeState();
  return running?.pid;
}
