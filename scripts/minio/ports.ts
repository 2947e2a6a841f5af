import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

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
