/** Where a path lies relative to another, the one rule every boundary check uses. */
import path from "node:path";

/** Whether `file` is `dir` or lies under it (both absolute, neither resolved through links). */
export function isWithin(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
