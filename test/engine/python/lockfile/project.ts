/** Writes a small Python project (lockfile, pyproject.toml, ...) for the lockfile readers' tests. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { LockRequest } from "../../../../engine/python/lockfile/model";
import { pythonTarget } from "../../../../engine/python/target";
import { tempDir } from "../../../support/tmp";

/** A directory holding `files` (relative path → text). */
export async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("lockfile");
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

/** A request for python3.12 on x86_64 unless `options` say otherwise. */
export function request(
  sourcePath: string,
  options: Partial<Omit<LockRequest, "sourcePath" | "target">> & {
    runtime?: string;
    architecture?: "x86_64" | "arm64" | "local";
  } = {},
): LockRequest {
  return {
    sourcePath,
    target: pythonTarget(options.runtime ?? "python3.12", options.architecture ?? "x86_64"),
    groups: options.groups ?? [],
    extras: options.extras ?? [],
  };
}

/** A fake sha256 hash for a file name, so that tests tell files apart. */
export const hash = (file: string) =>
  `sha256:${Buffer.from(file).toString("hex").padEnd(64, "0").slice(0, 64)}`;
