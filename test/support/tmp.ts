import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const created: string[] = [];
// Removed when the test process exits rather than in an `after` hook: a hook
// registered from inside `before` would run as soon as that hook ends.
process.once("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export async function tempDir(label = "test"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `lp-${label}-`));
  created.push(dir);
  return dir;
}
