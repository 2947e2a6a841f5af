import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { ZipEntry } from "../engine/zip";

/**
 * Every regular file under `root`, following symlinks as `zip -r` does, in
 * the shape writeZip takes. No excludes: the benchmark compares tools on
 * exactly the same files. Synchronous, like zip's own walk: a libuv round
 * trip per stat would make the walk, not the zipper, what is measured.
 */
export function walkTree(root: string): ZipEntry[] {
  const files: ZipEntry[] = [];
  const visit = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const info = statSync(file);
      if (info.isDirectory()) visit(file, `${prefix}${name}/`);
      else if (info.isFile()) {
        const executable = (info.mode & 0o111) !== 0;
        files.push({ name: prefix + name, sourceFile: file, size: info.size, executable });
      }
    }
  };
  visit(root, "");
  return files;
}
