import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  defaultBinary,
  endpointOf,
  MINIO_ACCESS_KEY,
  MINIO_REGION,
  MINIO_SECRET_KEY,
  minioArgs,
} from "./config";
import { freePort, waitForMinio } from "./ports";
import {
  exited,
  ownDir,
  registerCleanup,
  releaseDir,
  spawnMinio,
  terminate,
  type LogTail,
} from "./process";

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
  const child = spawnMinio(binary, minioArgs(dataDir, port, await freePort()), tail);
  try {
    await waitForMinio(endpointOf(port), () =>
      exited(child) ? `MinIO exited (${child.exitCode ?? child.signalCode})` : undefined,
    );
  } catch (error) {
    child.kill("SIGKILL");
    const log = tail.text.trim() || "(no output)";
    throw new Error(`${(error as Error).message}; its log ends:\n${log}`);
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
