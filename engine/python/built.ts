/**
 * Wheels built on this machine (from source distributions, workspace members
 * and path dependencies) before they are installed: a pure-Python one runs
 * anywhere and is installed, pinned to its hash; one with compiled code was
 * compiled for this machine, so for Lambda it is an error (for `local` it is
 * what was asked for).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_ARCHITECTURE } from "../options";
import type { PythonTarget } from "./target";
import { isPureWheel, parseWheelName } from "./wheel";
import { nativeBuildError, type Wheelless } from "./wheel-errors";

/**
 * The requirement lines (`/abs/x-1.0-py3-none-any.whl --hash=sha256:…`) of
 * the wheels in `dirs`; throws `PYTHON_NATIVE_BUILD` listing every wheel with
 * compiled code unless the target is `local`.
 */
export function builtWheelLines(
  dirs: readonly string[],
  source: string,
  target: PythonTarget,
): string[] {
  const lines: string[] = [];
  const native: Wheelless[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".whl"))
      .sort()) {
      const wheel = path.join(dir, file);
      if (isPureWheel(file) || target.architecture === LOCAL_ARCHITECTURE) {
        const hash = createHash("sha256").update(readFileSync(wheel)).digest("hex");
        lines.push(`${wheel} --hash=sha256:${hash}`);
        continue;
      }
      const parsed = parseWheelName(file);
      const built =
        parsed?.tags.map((t) => `${t.python}-${t.abi}-${t.platform}`).join(", ") ?? file;
      native.push({
        name: parsed?.name ?? file,
        version: parsed?.version,
        detail: `built here as ${built}`,
      });
    }
  }
  if (native.length) throw nativeBuildError(source, target, native);
  return lines;
}
