import execa from "execa";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { LambdaPackageError } from "../../shared/errors";
import type { PackageOptions } from "../options";
import { packagerEnvironment, type PackagerDirs } from "./env";

/** How many lines of the packager's stderr a failure message quotes. */
export const STDERR_TAIL_LINES = 40;

/** An empty zip: just the end-of-central-directory record, as the seed hands packagers. */
export const EMPTY_ZIP = Buffer.from("504b0506" + "00".repeat(18), "hex");

export interface RunPackagerOptions extends Pick<
  PackageOptions,
  "architecture" | "layer" | "pythonMode" | "packagerEnv" | "inheritCredentials"
> {
  /** Absolute path of the packager script (from `resolvePackager`). */
  readonly script: string;
  /** The packager's name, passed as `RUNTIME`, e.g. `python3.12`. */
  readonly runtime: string;
  /** Absolute source directory: the packager's cwd and `SOURCE_PATH`. */
  readonly sourcePath: string;
  /** An empty directory of this build's; `BUILD_DIR` and `PACKAGE_ZIP` are made in it. */
  readonly workDir: string;
  /** Receives each line the packager prints, stdout and stderr, as it comes. */
  readonly log?: (line: string) => void;
}

/**
 * Runs the packager as the contract says (packagers/README.md): in `workDir`
 * it makes an empty `BUILD_DIR` and an empty-zip `PACKAGE_ZIP`, then runs the
 * script with cwd = `sourcePath` and the contract environment. Output is
 * streamed line by line to `log`, never held whole in memory (npm and pip can
 * print a lot); only the last lines of stderr are kept for the error message.
 */
export async function runPackager(options: RunPackagerOptions): Promise<PackagerDirs> {
  const dirs: PackagerDirs = {
    buildDir: path.join(options.workDir, "build"),
    packageZip: path.join(options.workDir, "package.zip"),
  };
  await mkdir(dirs.buildDir);
  await writeFile(dirs.packageZip, EMPTY_ZIP);
  const env = packagerEnvironment(options, dirs);
  const log = options.log ?? (() => {});
  const tail: string[] = [];
  // execa rather than bare spawn: it kills the packager if this process exits
  // (cleanup), and its error carries the exit code, signal name and spawn errors.
  const child = execa(options.script, [], {
    cwd: options.sourcePath,
    env,
    extendEnv: false,
    stdin: "ignore",
    buffer: false,
  });
  const stdoutDone = forEachLine(child.stdout, log);
  const stderrDone = forEachLine(child.stderr, (line) => {
    log(line);
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
  });
  const [exit] = await Promise.allSettled([child, stdoutDone, stderrDone]);
  if (exit.status === "rejected") throw failure(options, exit.reason, tail);
  return dirs;
}

function forEachLine(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on("line", onLine);
  // readline closes on "end" (after the last partial line); a pipe destroyed
  // without ending, as when the script cannot be spawned, only emits "close".
  return new Promise((resolve) => {
    lines.once("close", resolve);
    stream.once("close", resolve);
  });
}

interface ExecaFailure {
  exitCode?: number;
  signal?: string;
  code?: string;
  originalMessage?: string;
  message?: string;
}

function failure(options: RunPackagerOptions, reason: unknown, tail: string[]): LambdaPackageError {
  const error = (reason ?? {}) as ExecaFailure;
  const where = `Packager ${options.script} (cwd ${options.sourcePath})`;
  let what: string;
  if (error.signal) what = `was killed by signal ${error.signal}`;
  else if (typeof error.exitCode === "number") what = `exited with code ${error.exitCode}`;
  else
    what = `could not be started: ${error.originalMessage ?? error.message}${spawnHint(error.code)}`;
  const stderr = tail.length
    ? `Last ${tail.length} line(s) of its stderr:\n${tail.join("\n")}`
    : "It printed nothing on stderr.";
  return new LambdaPackageError("PACKAGER_FAILED", `${where} ${what}. ${stderr}`, {
    cause: reason,
  });
}

function spawnHint(code: string | undefined): string {
  switch (code) {
    case "EACCES":
      return ". Make it executable with chmod +x";
    case "ENOENT":
      return ". The script or the interpreter named on its #! line is missing";
    default:
      return "";
  }
}
