/**
 * What a Lambda function's native code runs on: the instruction set and the
 * operating system of its runtime, whose glibc is the newest symbol version
 * a shared object may need.
 */
import os from "node:os";
import { LOCAL_ARCHITECTURE, type Architecture } from "../options";

/** The operating system of a Lambda runtime, and the glibc it ships. */
export interface LambdaOs {
  readonly name: string;
  /** `major.minor`, e.g. `2.34`. */
  readonly glibc: string;
}

const AMAZON_LINUX_2: LambdaOs = { name: "Amazon Linux 2", glibc: "2.26" };
const AMAZON_LINUX_2023: LambdaOs = { name: "Amazon Linux 2023", glibc: "2.34" };

/**
 * Lambda's managed runtimes by name, as AWS lists them, with their OS. Any
 * other name (`copy`, `generic`, a custom packager) says nothing about the
 * OS, so the audit cannot check glibc for it.
 */
export const LAMBDA_RUNTIMES: Readonly<Record<string, LambdaOs>> = {
  "nodejs18.x": AMAZON_LINUX_2,
  "nodejs20.x": AMAZON_LINUX_2023,
  "nodejs22.x": AMAZON_LINUX_2023,
  "nodejs24.x": AMAZON_LINUX_2023,
  "python3.9": AMAZON_LINUX_2,
  "python3.10": AMAZON_LINUX_2,
  "python3.11": AMAZON_LINUX_2,
  "python3.12": AMAZON_LINUX_2023,
  "python3.13": AMAZON_LINUX_2023,
  "python3.14": AMAZON_LINUX_2023,
  "java8.al2": AMAZON_LINUX_2,
  java11: AMAZON_LINUX_2,
  java17: AMAZON_LINUX_2,
  java21: AMAZON_LINUX_2023,
  "ruby3.2": AMAZON_LINUX_2,
  "ruby3.3": AMAZON_LINUX_2023,
  "ruby3.4": AMAZON_LINUX_2023,
  dotnet8: AMAZON_LINUX_2023,
  "provided.al2": AMAZON_LINUX_2,
  "provided.al2023": AMAZON_LINUX_2023,
};

/** The architecture Lambda runs a function on when none is given. */
export const LAMBDA_DEFAULT_ARCHITECTURE: Architecture = "x86_64";

/** What the audit holds a package's native code to. */
export interface AuditTarget {
  /** The runtime (packager) name the package is for. */
  readonly runtime: string;
  readonly architecture: Architecture;
  /** The runtime's OS; undefined when `runtime` is not a Lambda runtime's name. */
  readonly os?: LambdaOs;
}

/**
 * What to hold a package for `runtime` to. `"local"` built it with this
 * machine's tools, so it can only ever run on this machine's architecture:
 * that is what it is checked against (x86_64 on a machine that is neither).
 */
export function auditTarget(
  runtime: string,
  architecture: Architecture | typeof LOCAL_ARCHITECTURE = LAMBDA_DEFAULT_ARCHITECTURE,
): AuditTarget {
  const resolved =
    architecture !== LOCAL_ARCHITECTURE
      ? architecture
      : os.arch() === "arm64"
        ? "arm64"
        : LAMBDA_DEFAULT_ARCHITECTURE;
  return { runtime, architecture: resolved, os: LAMBDA_RUNTIMES[runtime] };
}

/** `python3.12 on x86_64 (Amazon Linux 2023, glibc 2.34)`, for the log and messages. */
export function describeTarget(target: AuditTarget): string {
  const os = target.os
    ? `${target.os.name}, glibc ${target.os.glibc}`
    : `glibc not checked: "${target.runtime}" is no Lambda runtime's name`;
  return `${target.runtime} on ${target.architecture} (${os})`;
}
