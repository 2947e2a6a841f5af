/**
 * Wheel file names (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`,
 * each tag possibly a `.`-joined set) and whether Lambda's Python can load a
 * wheel: the question pip answers with `--platform`, asked before pip runs so
 * that every package without a wheel for Lambda is named in one message.
 */
import { platformTags, type PythonTarget } from "./target";

export interface WheelName {
  readonly name: string;
  readonly version: string;
  /** Every python-abi-platform combination the name's tag sets stand for. */
  readonly tags: readonly { python: string; abi: string; platform: string }[];
}

/** The parts of a wheel's file name, or undefined when it is not one. */
export function parseWheelName(filename: string): WheelName | undefined {
  const m = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(filename);
  if (!m) return undefined;
  const [, name, version, pythons, abis, platforms] = m;
  const tags = pythons
    .split(".")
    .flatMap((python) =>
      abis
        .split(".")
        .flatMap((abi) => platforms.split(".").map((platform) => ({ python, abi, platform }))),
    );
  return { name, version, tags };
}

/** A source distribution, built into a wheel before it is installed. */
export function isSdist(filename: string): boolean {
  return /\.(tar\.gz|zip|tar\.bz2|tgz)$/.test(filename);
}

/** Pure Python: no compiled code, loads on any platform (`py3-none-any`). */
export function isPureWheel(filename: string): boolean {
  const wheel = parseWheelName(filename);
  return !!wheel && wheel.tags.every((t) => t.abi === "none" && t.platform === "any");
}

/**
 * Whether CPython of the target's version on its platform loads the wheel,
 * as `packaging.tags` decides for CPython: its own ABI (`cp312-cp312`), the
 * stable ABI of any CPython 3 up to it (`cp38-abi3`), or no ABI for
 * `cp3x`/`py3x` up to it; on one of the target's manylinux platforms or
 * `any`. (For `local` there are no platform tags: pip decides for this
 * machine, and only pure wheels fit here.)
 */
export function wheelFits(filename: string, target: PythonTarget): boolean {
  const wheel = parseWheelName(filename);
  if (!wheel) return false;
  const platforms = new Set([...platformTags(target), "any"]);
  const [major, minor] = target.python;
  const upTo = (tag: string, prefix: string) => {
    const m = new RegExp(`^${prefix}(\\d)(\\d*)$`).exec(tag);
    return !!m && Number(m[1]) === major && (m[2] === "" || Number(m[2]) <= minor);
  };
  return wheel.tags.some(({ python, abi, platform }) => {
    if (!platforms.has(platform)) return false;
    if (abi === `cp${major}${minor}`) return python === `cp${major}${minor}`;
    if (abi === "abi3") return upTo(python, "cp");
    if (abi === "none") return upTo(python, "cp") || upTo(python, "py");
    return false;
  });
}
