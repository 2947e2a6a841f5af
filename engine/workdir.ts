/**
 * A build's scratch space: one directory under the temp dir (TMPDIR is
 * honoured), removed on every way out: success, failure, and interruption
 * (SIGINT, SIGTERM). A process that was killed outright cannot clean up, so
 * each process first sweeps away this tool's leftovers older than a day.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { onInterrupt } from "../shared/interrupt";

/** Every temporary file or directory this tool makes starts with this. */
export const TEMP_PREFIX = "lambda-package-";
/** Leftovers older than this are a dead process's, never a running build's. */
const STALE_MS = 24 * 60 * 60 * 1000;

let swept: Promise<void> | undefined;

/** Runs `work` with a fresh directory, removed however it ends. */
export async function withWorkDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  swept ??= sweepStale();
  await swept;
  const dir = await mkdtemp(path.join(os.tmpdir(), TEMP_PREFIX));
  const remove = () => rm(dir, { recursive: true, force: true });
  const stopOnInterrupt = onInterrupt(remove);
  try {
    return await work(dir);
  } finally {
    stopOnInterrupt();
    await remove();
  }
}

/** A path for a file outside any work dir, named so the sweep knows it. */
export function tempFileBeside(workDir: string, suffix: string): string {
  return path.join(path.dirname(workDir), `${path.basename(workDir)}${suffix}`);
}

async function sweepStale(): Promise<void> {
  const tmp = os.tmpdir();
  const names = await readdir(tmp).catch(() => []);
  const now = Date.now();
  await Promise.all(
    names
      .filter((name) => name.startsWith(TEMP_PREFIX))
      .map(async (name) => {
        const file = path.join(tmp, name);
        const info = await stat(file).catch(() => undefined);
        if (info && now - info.mtimeMs > STALE_MS) await rm(file, { recursive: true, force: true });
      }),
  );
}
