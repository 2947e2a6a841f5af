/**
 * A throwaway single-node MinIO on loopback, for a test file, a benchmark or
 * the demo: where its binary is, how it is configured, finding a free port,
 * starting it, waiting until it is live, stopping and restarting it.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  exited,
  ownDir,
  registerCleanup,
  releaseDir,
  spawnMinio,
  terminate,
  type LogTail,
} from "./process";

/** Fixed loopback-only credentials: the server never listens beyond 127.0.0.1. */
export const MINIO_ACCESS_KEY = "lambda-package";
export const MINIO_SECRET_KEY = "lambda-package-secret";
export const MINIO_REGION = "us-east-1";
// A built-in KMS key, so SSE-S3 (AES256) and SSE-KMS requests work as on AWS.
const KMS_KEY = "minio-test-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

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

/** `http://127.0.0.1:PORT` */
export function endpointOf(port: number): string {
  return `http://127.0.0.1:${port}`;
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

const READY_TIMEOUT_MS = 30_000;

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

/** `port` when nothing listens on it at 127.0.0.1, else a free one; a free one when undefined. */
export async function portOrFree(port: number | undefined): Promise<number> {
  if (port === undefined) return freePort();
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer().once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
  return free ? port : freePort();
}

/** Whether `/minio/health/live` answers 200 within a second. */
export async function isLive(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/minio/health/live`, {
      signal: AbortSignal.timeout(1000),
    });
    return response.ok;
  } catch {
    return false;
  }
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
    if (await isLive(endpoint)) return;
    await sleep(100);
  }
  throw new Error(`MinIO at ${endpoint} was not live after ${timeoutMs / 1000} s`);
}

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

/** Spawns the server and waits until it is live; kills it and shows its log when it is not. */
async function launch(
  binary: string,
  dataDir: string,
  port: number,
  tail: LogTail,
): Promise<ChildProcess> {
  const child = spawnMinio(binary, minioArgs(dataDir, port, await freePort()), minioEnv(), tail);
  try {
    await waitForMinio(endpointOf(port), () =>
      exited(child) ? `MinIO exited (${child.exitCode ?? child.signalCode})` : undefined,
    );
  } catch (error) {
    child.kill("SIGKILL");
    const log = tail.text.trim() || "(no output)";
    throw new Error(`${(error as Error).message}; its log ends:\n${log}`, { cause: error });
  }
  return child;
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
  if (owned) ownDir(dataDir);
  const { port } = options;
  const tail: LogTail = { text: "" };
  let child: ChildProcess;
  try {
    child = await launch(binary, dataDir, port, tail);
  } catch (error) {
    if (owned) releaseDir(dataDir);
    throw error;
  }
  const server: MinioServer = {
    endpoint: endpointOf(port),
    port,
    accessKeyId: MINIO_ACCESS_KEY,
    secretAccessKey: MINIO_SECRET_KEY,
    region: MINIO_REGION,
    dataDir,
    pid: child.pid ?? -1,
    logTail: () => tail.text,
    stop: async () => {
      await terminate(child, "SIGTERM");
      if (owned) releaseDir(dataDir);
    },
    kill9: () => terminate(child, "SIGKILL"),
    restart: async () => {
      await terminate(child, "SIGTERM");
      child = await launch(binary, dataDir, port, tail);
      server.pid = child.pid ?? -1;
    },
  };
  return server;
}
