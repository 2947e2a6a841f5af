/**
 * What a Python package is built for: the Lambda runtime's Python version,
 * the operating system (and so the glibc) it runs on, and the CPU. From that
 * come the values of environment markers, the wheel platform tags Lambda
 * can load, and the pip flags that ask for them.
 */
import { arch } from "node:os";
import { LambdaPackageError } from "../../shared/errors";
import { LOCAL_ARCHITECTURE, PACKAGE_OPTIONS, type PackageOptions } from "../options";
import type { MarkerEnvironment } from "./markers";
import { normalizeName } from "./requirement";

/**
 * The operating systems of Lambda's Python runtimes, oldest first: a runtime
 * runs on the last one whose first Python is not newer than its own.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const LAMBDA_PYTHON_OS = [
  { os: "Amazon Linux 2", glibc: [2, 26], fromPython: [3, 9] },
  { os: "Amazon Linux 2023", glibc: [2, 34], fromPython: [3, 12] },
] as const satisfies readonly {
  os: string;
  glibc: readonly [number, number];
  fromPython: readonly [number, number];
}[];

/** Lambda's names for its CPUs → what Python calls them (`platform_machine`, wheel tags). */
export const MACHINES = { x86_64: "x86_64", arm64: "aarch64" } as const;

/** The oldest glibc of each CPU's manylinux tags: manylinux1 is 2.5, aarch64 starts at 2014's 2.17. */
const OLDEST_GLIBC_MINOR = { x86_64: 5, aarch64: 17 } as const;

/** The legacy manylinux names and the glibc each stands for (PEP 513, 571, 599). */
const LEGACY_MANYLINUX = [
  { name: "manylinux2014", glibcMinor: 17 },
  { name: "manylinux2010", glibcMinor: 12 },
  { name: "manylinux1", glibcMinor: 5 },
] as const;

export interface PythonTarget {
  /** The runtime's name, e.g. `python3.12`. */
  readonly runtime: string;
  readonly python: readonly [number, number];
  /** What `architecture` asked for: `x86_64`, `arm64`, or `local` (this machine, its tools). */
  readonly architecture: NonNullable<PackageOptions["architecture"]>;
  /** `platform_machine`: `x86_64` or `aarch64`. */
  readonly machine: string;
  readonly os: string;
  readonly glibc: readonly [number, number];
}

/** `python3.12` → [3, 12], or undefined when the name has no Python version. */
export function runtimePython(runtime: string): [number, number] | undefined {
  const m = /^python(\d+)\.(\d+)$/.exec(runtime);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function atLeast(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] >= b[1];
}

/** The target of a build for `runtime` on `architecture`; throws when the runtime names no Python Lambda runs. */
export function pythonTarget(
  runtime: string,
  architecture: PackageOptions["architecture"] = PACKAGE_OPTIONS.architecture.default,
): PythonTarget {
  const python = runtimePython(runtime);
  const os = python && [...LAMBDA_PYTHON_OS].reverse().find((o) => atLeast(python, o.fromPython));
  if (!python || !os) {
    const oldest = LAMBDA_PYTHON_OS[0].fromPython.join(".");
    throw new LambdaPackageError(
      "PYTHON_RUNTIME_UNKNOWN",
      `RUNTIME "${runtime}" names no Python that Lambda runs (python${oldest} or later, like python3.12), ` +
        `which the python packager needs to pick wheels for Lambda and to read a lockfile's markers. ` +
        `Set runtime to the function's Python runtime (a requirements.txt can also be installed ` +
        `for the local Python, with architecture "local").`,
      { field: "runtime" },
    );
  }
  const machine = architecture === LOCAL_ARCHITECTURE ? localMachine() : MACHINES[architecture];
  return { runtime, python, architecture, machine, os: os.os, glibc: os.glibc };
}

/** `platform_machine` of this machine, as Python names it. */
function localMachine(): string {
  const names: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };
  return names[arch()] ?? arch();
}

/**
 * The values of PEP 508 markers on the target. The runtime names only the
 * minor version, so `python_full_version` is its `.0`; the release and
 * version of the kernel are unknown and empty.
 */
export function markerEnvironment(
  target: PythonTarget,
  extras: readonly string[] = [],
  groups: readonly string[] = [],
): MarkerEnvironment {
  const version = target.python.join(".");
  return {
    values: {
      python_version: version,
      python_full_version: `${version}.0`,
      implementation_version: `${version}.0`,
      implementation_name: "cpython",
      platform_python_implementation: "CPython",
      os_name: "posix",
      sys_platform: "linux",
      platform_system: "Linux",
      platform_machine: target.machine,
      platform_release: "",
      platform_version: "",
    },
    extras: new Set(extras.map(normalizeName)),
    dependencyGroups: new Set(groups.map(normalizeName)),
  };
}

/**
 * The platform tags of wheels Lambda can load on the target, newest first:
 * `manylinux_2_<n>_<machine>` from the OS's glibc down to the CPU's oldest,
 * and the legacy names among them. Empty for `local`: no platform is imposed.
 */
export function platformTags(target: PythonTarget): string[] {
  if (target.architecture === LOCAL_ARCHITECTURE) return [];
  const machine = target.machine as keyof typeof OLDEST_GLIBC_MINOR;
  const tags: string[] = [];
  for (let minor = target.glibc[1]; minor >= OLDEST_GLIBC_MINOR[machine]; minor--) {
    tags.push(`manylinux_2_${minor}_${machine}`);
    const legacy = LEGACY_MANYLINUX.find((l) => l.glibcMinor === minor);
    if (legacy && (machine === "x86_64" || legacy.name === "manylinux2014")) {
      tags.push(`${legacy.name}_${machine}`);
    }
  }
  return tags;
}

/**
 * pip's flags for installing wheels for the target instead of this machine:
 * every platform tag (pip does not infer older glibc tags from a newer one),
 * binary wheels only, CPython of the runtime's version and ABI. Empty for
 * `local`.
 */
export function pipTargetFlags(target: PythonTarget): string[] {
  const tags = platformTags(target);
  if (tags.length === 0) return [];
  const [major, minor] = target.python;
  return [
    ...tags.flatMap((tag) => ["--platform", tag]),
    "--only-binary=:all:",
    "--implementation",
    "cp",
    "--python-version",
    `${major}.${minor}`,
    // pip adds abi3 and none by itself.
    "--abi",
    `cp${major}${minor}`,
  ];
}

/** How the target reads in messages: `python3.12 on Amazon Linux 2023 (glibc 2.34), arm64`. */
export function describeTarget(target: PythonTarget): string {
  if (target.architecture === LOCAL_ARCHITECTURE) {
    return `${target.runtime} with the local Python on this machine (${target.machine})`;
  }
  return `${target.runtime} on ${target.os} (glibc ${target.glibc.join(".")}), ${target.architecture}`;
}
