/**
 * The background MinIO of a developer's shell (`npm run minio -- start | stop |
 * env | bucket <name>`): one server that outlives the command, recorded in a
 * state file so later commands find it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { bucketName } from "../../provider/s3/settings";
import { ensureVersionedBucket, type S3Endpoint } from "./buckets";
import {
  defaultBinary,
  endpointOf,
  freePort,
  MINIO_ACCESS_KEY,
  MINIO_REGION,
  MINIO_SECRET_KEY,
  minioArgs,
  minioEnv,
  portOrFree,
  repoRoot,
  waitForMinio,
} from "./server";

/** What `start` records about the background server, in `<instance dir>/state.json`. */
export interface InstanceState {
  pid: number;
  port: number;
  /** Absent in state files written before it was recorded. */
  dataDir?: string;
}

/**
 * Directory of the background server: state.json, data/, minio.log.
 * `LAMBDA_PACKAGE_MINIO_DIR` moves it (tests use a temporary one, so they never
 * touch a developer's running instance). @default `<repo>/.tools/minio`
 */
export function instanceDir(): string {
  const configured = process.env.LAMBDA_PACKAGE_MINIO_DIR;
  return configured ? path.resolve(configured) : path.join(repoRoot(), ".tools", "minio");
}

export const statePath = () => path.join(instanceDir(), "state.json");
export const dataDirPath = () => path.join(instanceDir(), "data");
export const logPath = () => path.join(instanceDir(), "minio.log");

export function readState(): InstanceState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(), "utf8")) as InstanceState;
  } catch {
    return undefined;
  }
}

export function writeState(state: InstanceState): void {
  writeFileSync(statePath(), JSON.stringify(state) + "\n");
}

export function removeState(): void {
  rmSync(statePath(), { force: true });
}

// The pid must still be this MinIO: after a reboot it may belong to anything,
// and another instance dir's server must not be taken for this one.
export function isOurMinio(state: InstanceState): boolean {
  try {
    const argv = readFileSync(`/proc/${state.pid}/cmdline`, "utf8").split("\0");
    return (
      argv.some((arg) => arg.endsWith("minio")) && (!state.dataDir || argv.includes(state.dataDir))
    );
  } catch {
    return false;
  }
}

/** The state of the background server when it runs, else undefined. */
export function runningInstance(): InstanceState | undefined {
  const state = readState();
  return state && isOurMinio(state) ? state : undefined;
}

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
    throw new Error(`${(error as Error).message}; ${logPath()} ends:\n${tail}`, { cause: error });
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

const USAGE = "usage: npm run minio -- start | stop | env | bucket <name>";
const NOT_RUNNING = "MinIO is not running; run `npm run minio -- start` first";

function exportsOf(port: number): string {
  return [
    `export AWS_ENDPOINT_URL_S3=${endpointOf(port)}`,
    `export AWS_ACCESS_KEY_ID=${MINIO_ACCESS_KEY}`,
    `export AWS_SECRET_ACCESS_KEY=${MINIO_SECRET_KEY}`,
    `export AWS_REGION=${MINIO_REGION}`,
  ].join("\n");
}

function running(): InstanceState {
  const state = runningInstance();
  if (!state) throw new Error(NOT_RUNNING);
  return state;
}

async function start(): Promise<void> {
  const { state, started } = await startBackground();
  if (started) {
    process.stderr.write(
      `minio: started pid ${state.pid} on 127.0.0.1:${state.port}, ` +
        `data ${dataDirPath()}, log ${logPath()}\n`,
    );
  }
  process.stdout.write(exportsOf(state.port) + "\n");
}

async function stop(): Promise<void> {
  const pid = await stopBackground();
  process.stderr.write(pid === undefined ? "minio: not running\n" : `minio: stopped pid ${pid}\n`);
}

function env(): void {
  process.stdout.write(exportsOf(running().port) + "\n");
}

// The provider's rule for bucket names, so the demo's bucket is one it accepts.
function checkBucketName(name: string | undefined): string {
  if (!name) throw new Error(`bucket: a bucket name is required; ${USAGE}`);
  const wrong = bucketName(name);
  if (wrong) throw new Error(`bucket: "${name}" ${wrong}`);
  return name;
}

async function bucket(name: string | undefined): Promise<void> {
  const bucketName = checkBucketName(name);
  const server: S3Endpoint = {
    endpoint: endpointOf(running().port),
    region: MINIO_REGION,
    accessKeyId: MINIO_ACCESS_KEY,
    secretAccessKey: MINIO_SECRET_KEY,
  };
  const outcome = await ensureVersionedBucket(server, bucketName);
  process.stdout.write(
    outcome === "created"
      ? `minio: created bucket ${bucketName} with versioning Enabled\n`
      : `minio: bucket ${bucketName} exists; versioning is Enabled\n`,
  );
}

const COMMANDS: Record<string, (args: string[]) => void | Promise<void>> = {
  start,
  stop,
  env,
  bucket: (args) => bucket(args[0]),
};

/** Runs `minio.js <command> [args]`; errors go to stderr with exit code 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    const [command = "", ...args] = argv;
    const run = COMMANDS[command];
    if (!run) throw new Error(USAGE);
    await run(args);
  } catch (error) {
    process.stderr.write(`minio: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
