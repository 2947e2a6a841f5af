import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";

/** A fresh temporary directory, removed when the test file finishes. */
export async function tempDir(label = "test"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `lp-${label}-`));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
