import { parseArgs } from "node:util";
import type { Architecture, BuildOptions, PythonMode } from "../types";

export const USAGE = `Usage:
  lambda-package build  <sourcePath> --runtime <name> [options]
  lambda-package verify <sourcePath> --runtime <name> [options]

build   writes the zip and prints its SHA-256, sizes and file count.
verify  builds twice in fresh temporary directories and fails if the bytes differ.

Options:
  -r, --runtime <name>        packager to run: python3.12, nodejs22.x, generic, copy, ...
      --packager <script>     run this packager script instead of looking one up
      --packagers <dir>       look for <runtime> in this directory before the built-ins
  -o, --out <file.zip>        where to write the zip (build only; default: a temp file)
  -x, --exclude <pattern>     gitignore-style pattern to leave out (repeatable)
  -l, --level <0-9>           deflate level, 0 stores (default 9)
      --architecture <arch>   x86_64 or arm64: pick Lambda-compatible native wheels
      --layer                 lay files out as a Lambda layer (python/, nodejs/node_modules/)
      --python-mode <mode>    requirements (default) or package (pip install --no-deps .)
      --inherit-credentials   pass credential-like variables to the packager
      --json                  print the result as JSON
  -v, --verbose               show the packager's output
  -h, --help                  show this help

Exit codes: 0 ok, 1 build failed, 2 bad usage.`;

export class UsageError extends Error {}

export interface CliRequest {
  readonly command: "build" | "verify" | "help";
  readonly options: BuildOptions;
  readonly json: boolean;
  readonly verbose: boolean;
}

/** Turns argv (without node and script) into a request; throws UsageError on bad usage. */
export function parseCli(argv: readonly string[]): CliRequest {
  const { values, positionals } = parse(argv);
  const [command, sourcePath, ...extra] = positionals;
  if (values.help || command === "help" || command === undefined) {
    return { command: "help", options: { sourcePath: "" }, json: false, verbose: false };
  }
  if (command !== "build" && command !== "verify") {
    throw new UsageError(`unknown command "${command}"; expected "build" or "verify"`);
  }
  if (!sourcePath) throw new UsageError(`${command} needs a <sourcePath>`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (!values.runtime && !values.packager) {
    throw new UsageError("give --runtime <name> (or --packager <script>)");
  }
  if (command === "verify" && values.out) throw new UsageError("--out is for build, not verify");
  const options: BuildOptions = {
    sourcePath,
    runtime: values.runtime,
    packager: values.packager,
    packagersDir: values.packagers,
    outFile: values.out,
    exclude: values.exclude,
    compressionLevel: values.level === undefined ? undefined : parseLevel(values.level),
    architecture: oneOf<Architecture>("--architecture", values.architecture, ["x86_64", "arm64"]),
    layer: values.layer,
    pythonMode: oneOf<PythonMode>("--python-mode", values["python-mode"], [
      "requirements",
      "package",
    ]),
    inheritCredentials: values["inherit-credentials"],
  };
  return { command, options, json: values.json ?? false, verbose: values.verbose ?? false };
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        runtime: { type: "string", short: "r" },
        packager: { type: "string" },
        packagers: { type: "string" },
        out: { type: "string", short: "o" },
        exclude: { type: "string", short: "x", multiple: true },
        level: { type: "string", short: "l" },
        architecture: { type: "string" },
        layer: { type: "boolean" },
        "python-mode": { type: "string" },
        "inherit-credentials": { type: "boolean" },
        json: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseLevel(raw: string): number {
  const level = Number(raw);
  if (!/^\d$/.test(raw)) throw new UsageError(`--level must be 0-9, got "${raw}"`);
  return level;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got "${value}"`);
  }
  return value as T;
}
