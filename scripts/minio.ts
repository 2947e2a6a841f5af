import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";

/** A running single-node single-drive MinIO on loopback. */
export interface MinioServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: "us-east-1";
  dataDir: string;
  /** Pid of the current server process (changes on restart). */
  pid: number;
  /** The last lines the server wrote. */
  logTail(): string;
  /** SIGTERM, SIGKILL after 10 s; removes the data dir when startMinio made it. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash; the data dir stays for `restart`. */
  kill9(): Promise<void>;
  /** Starts again on the same port and data dir (stopping it first if it runs). */
  restart(): Promise<void>;
}

export interface StartMinioOptions {
  /** Port on 127.0.0.1. @default a free one the OS picks */
  port?: number;
  /** Data directory. @default a temporary one, removed on stop */
  dataDir?: string;
  /** MinIO binary. @default .tools/bin/minio */
  binary?: string;
}

/** Fixed loopback-only credentials: the server never listens beyond 127.0.0.1. */
export const MINIO_ACCESS_KEY = "lambda-package";
export const MINIO_SECRET_KEY = "lambda-package-secret";
// A built-in KMS key, so SSE-S3 (AES256) and SSE-KMS requests work as on AWS.
const KMS_KEY = "minio-test-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_BYTES = 16 * 1024;

/** Repository root: the directory holding package.json above this file (src or dist). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export function defaultBinary(): string {
  return path.join(repoRoot(), ".tools", "bin", "minio");
}

/** A free TCP port on 127.0.0.1, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Environment MinIO runs with: quiet, offline, no console UI. */
export function minioEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MINIO_ROOT_USER: MINIO_ACCESS_KEY,
    MINIO_ROOT_PASSWORD: MINIO_SECRET_KEY,
    MINIO_BROWSER: "off",
    MINIO_UPDATE: "off",
    MINIO_CI_CD: "1",
    MINIO_KMS_SECRET_KEY: KMS_KEY,
  };
}

/** `minio server` arguments for a data dir and ports. */
export function minioArgs(dataDir: string, port: number, consolePort: number): string[] {
  return [
    "server",
    dataDir,
    "--address",
    `127.0.0.1:${port}`,
    "--console-address",
    `127.0.0.1:${consolePort}`,
    "--quiet",
  ];
}

/** Polls /minio/health/live until it answers 200; `failed()` stops early with its reason. */
export async function waitForMinio(
  endpoint: string,
  failed: () => string | undefined,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = failed();
    if (reason) throw new Error(reason);
    try {
      const response = await fetch(`${endpoint}/minio/health/live`, {
        signal: AbortSignal.timeout(1000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`MinIO at ${endpoint} was not live after ${timeoutMs / 1000} s`);
}

const live = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let cleanupRegistered = false;

// Servers must not outlive the process that started them, whatever way it ends.
function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
    for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill("SIGKILL");
      process.kill(process.pid, signal);
    });
  }
}

// setpriv's pdeathsig kills MinIO even when this process is SIGKILLed.
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => existsSync(file));

function spawnMinio(binary: string, args: string[], tail: { text: string }): ChildProcess {
  const [command, argv] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "SIGKILL", "--", binary, ...args]]
    : [binary, args];
  const child = spawn(command, argv, { env: minioEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const append = (chunk: Buffer) => {
    tail.text = (tail.text + chunk.toString("utf8")).slice(-LOG_TAIL_BYTES);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  child.on("error", (error) => append(Buffer.from(`spawn error: ${error.message}\n`)));
  // Unreferenced: a test file whose `after` never ran still exits, and the exit hook kills it.
  child.unref();
  (child.stdout as unknown as { unref(): void }).unref();
  (child.stderr as unknown as { unref(): void }).unref();
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    // Cleared on exit, so a finished stop() leaves no timer holding the process open.
    const timer = setTimeout(() => resolve(exited(child)), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts MinIO and waits until it is live; see `MinioServer`. */
export async function startMinio(options: StartMinioOptions = {}): Promise<MinioServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ ...options, port: options.port ?? (await freePort()) });
    } catch (error) {
      // Another process may take the free port between asking and binding.
      const raced = options.port === undefined && /already in use/.test(String(error));
      if (!raced || attempt === 3) throw error;
    }
  }
}

async function startOnce(options: StartMinioOptions & { port: number }): Promise<MinioServer> {
  registerCleanup();
  const binary = options.binary ?? defaultBinary();
  if (!existsSync(binary)) {
    throw new Error(`MinIO binary ${binary} is missing; build it with \`npm run tools\``);
  }
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "minio-"));
  mkdirSync(dataDir, { recursive: true });
  if (owned) ownedDirs.add(dataDir);
  const port = options.port;
  const endpoint = `http://127.0.0.1:${port}`;
  const tail = { text: "" };
  let child: ChildProcess;

  const launch = async () => {
    const consolePort = await freePort();
    child = spawnMinio(binary, minioArgs(dataDir, port, consolePort), tail);
    const current = child;
    try {
      await waitForMinio(endpoint, () =>
        exited(current) ? `MinIO exited (${current.exitCode ?? current.signalCode})` : undefined,
      );
    } catch (error) {
      current.kill("SIGKILL");
      const log = tail.text.trim() || "(no output)";
      throw new Error(`${(error as Error).message}; its log ends:\n${log}`);
    }
    server.pid = current.pid ?? -1;
  };
  const terminate = async (signal: NodeJS.Signals) => {
    if (exited(child)) return;
    child.kill(signal);
    if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
      child.kill("SIGKILL");
      await waitExit(child, STOP_TIMEOUT_MS);
    }
  };

  const server: MinioServer = {
    endpoint,
    port,
    accessKeyId: MINIO_ACCESS_KEY,
    secretAccessKey: MINIO_SECRET_KEY,
    region: "us-east-1",
    dataDir,
    pid: -1,
    logTail: () => tail.text,
    stop: async () => {
      await terminate("SIGTERM");
      if (owned) {
        rmSync(dataDir, { recursive: true, force: true });
        ownedDirs.delete(dataDir);
      }
    },
    kill9: () => terminate("SIGKILL"),
    restart: async () => {
      await terminate("SIGTERM");
      await launch();
    },
  };
  try {
    await launch();
  } catch (error) {
    if (owned) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/** An S3 client with the server's root credentials, for harness and test assertions. */
export function minioClient(server: MinioServer): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
}

/** CreateBucket, with versioning Enabled unless `versioned` is false. */
export async function createBucket(
  server: MinioServer,
  name: string,
  versioned = true,
): Promise<void> {
  const client = minioClient(server);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
    if (versioned) {
      await client.send(
        new PutBucketVersioningCommand({
          Bucket: name,
          VersioningConfiguration: { Status: "Enabled" },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** CreateBucket + PutBucketVersioning Enabled. */
export function createVersionedBucket(server: MinioServer, name: string): Promise<void> {
  return createBucket(server, name, true);
}

// ---- CLI: `node dist/scripts/minio.js start|stop|env` (via `npm run -s minio -- …`) ----

interface CliState {
  pid: number;
  port: number;
}

const cliDir = () => path.join(repoRoot(), ".tools", "minio");
const statePath = () => path.join(cliDir(), "state.json");

function readState(): CliState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(), "utf8")) as CliState;
  } catch {
    return undefined;
  }
}

// The pid must still be MinIO: after a reboot it may belong to anything.
function isMinio(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("minio");
  } catch {
    return false;
  }
}

function exportsOf(port: number): string {
  return [
    `export AWS_ENDPOINT_URL_S3=http://127.0.0.1:${port}`,
    `export AWS_ACCESS_KEY_ID=${MINIO_ACCESS_KEY}`,
    `export AWS_SECRET_ACCESS_KEY=${MINIO_SECRET_KEY}`,
    `export AWS_REGION=us-east-1`,
  ].join("\n");
}

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

async function portOrFree(port: number | undefined): Promise<number> {
  if (port === undefined) return freePort();
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer().once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
  return free ? port : freePort();
}

async function cliStart(): Promise<void> {
  const state = readState();
  if (state && isMinio(state.pid)) {
    process.stdout.write(exportsOf(state.port) + "\n");
    return;
  }
  const binary = defaultBinary();
  ensureBinary(binary);
  const dataDir = path.join(cliDir(), "data");
  mkdirSync(dataDir, { recursive: true });
  // The same port as last time keeps exported variables valid across restarts.
  const port = await portOrFree(state?.port);
  const logFile = path.join(cliDir(), "minio.log");
  const log = openSync(logFile, "a");
  const child = spawn(binary, minioArgs(dataDir, port, await freePort()), {
    env: minioEnv(),
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  const pid = child.pid ?? -1;
  writeFileSync(statePath(), JSON.stringify({ pid, port } satisfies CliState) + "\n");
  try {
    await waitForMinio(`http://127.0.0.1:${port}`, () =>
      isMinio(pid) ? undefined : "MinIO exited",
    );
  } catch (error) {
    rmSync(statePath(), { force: true });
    const tail = readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
    throw new Error(`${(error as Error).message}; ${logFile} ends:\n${tail}`);
  }
  process.stderr.write(
    `minio: started pid ${pid} on 127.0.0.1:${port}, data ${dataDir}, log ${logFile}\n`,
  );
  process.stdout.write(exportsOf(port) + "\n");
}

async function cliStop(): Promise<void> {
  const state = readState();
  if (state && isMinio(state.pid)) {
    process.kill(state.pid, "SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isMinio(state.pid) && Date.now() < deadline) await sleep(100);
    if (isMinio(state.pid)) process.kill(state.pid, "SIGKILL");
    process.stderr.write(`minio: stopped pid ${state.pid}\n`);
  } else {
    process.stderr.write("minio: not running\n");
  }
  rmSync(statePath(), { force: true });
}

function cliEnv(): void {
  const state = readState();
  if (!state || !isMinio(state.pid)) {
    throw new Error("MinIO is not running; start it with `npm run -s minio -- start`");
  }
  process.stdout.write(exportsOf(state.port) + "\n");
}

async function main(args: string[]): Promise<void> {
  const commands: Record<string, () => void | Promise<void>> = {
    start: cliStart,
    stop: cliStop,
    env: cliEnv,
  };
  const run = commands[args[0] ?? ""];
  if (!run) throw new Error("usage: minio.js start|stop|env");
  await run();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`minio: ${error.message}\n`);
    process.exitCode = 1;
  });
}
