import { parseArgs, type ParseArgsConfig } from "node:util";
import { LAMBDA_RUNTIMES } from "../engine/audit";
import {
  PACKAGE_OPTIONS,
  type Architecture,
  type BuildOptions,
  type FlagSpec,
  type NativeCheck,
  type OptionSpec,
} from "../engine/options";

export class UsageError extends Error {}

export type CliRequest =
  | { readonly command: "help" }
  | {
      readonly command: "build" | "verify";
      readonly options: BuildOptions;
      readonly json: boolean;
      readonly verbose: boolean;
    }
  | {
      readonly command: "audit";
      /** The zip or directory to audit. */
      readonly path: string;
      readonly runtime: string;
      readonly architecture?: Architecture;
      readonly nativeCheck: Exclude<NativeCheck, "off">;
      readonly json: boolean;
    };

/** The options `audit` takes: what the audit is held to, and what it does with findings. */
const AUDIT_OPTIONS: readonly (keyof BuildOptions)[] = ["runtime", "architecture", "nativeCheck"];

/** The package options that have a flag, with the flag's long name. */
const FLAGS = (Object.entries(PACKAGE_OPTIONS) as [keyof BuildOptions, OptionSpec][])
  .filter((entry): entry is [keyof BuildOptions, OptionSpec & { cli: FlagSpec }] => !!entry[1].cli)
  .map(([option, spec]) => ({ option, long: spec.cli.flag ?? kebabCase(option), spec }));

/** Flags of the CLI itself, not of the build. */
const OWN_FLAGS = {
  out: { type: "string", short: "o" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

const PARSE_OPTIONS: ParseArgsConfig["options"] = {
  ...Object.fromEntries(
    FLAGS.map(({ long, spec: { cli } }) => [
      long,
      {
        type: cli.kind === "switch" ? "boolean" : "string",
        ...(cli.short && { short: cli.short }),
        ...((cli.kind === "list" || cli.kind === "pairs") && { multiple: true }),
      },
    ]),
  ),
  ...OWN_FLAGS,
};

function usageLine(long: string, short: string | undefined, arg: string | undefined, help: string) {
  const flag = `${short ? `-${short}, ` : "    "}--${long}${arg ? ` ${arg}` : ""}`;
  return `  ${flag.padEnd(28)}${help}`;
}

function defaultNote(spec: OptionSpec): string {
  const value = spec.default;
  // Switches are off and lists empty by default; only a value worth saying is said.
  if (typeof value !== "string" && typeof value !== "number") return "";
  return ` (default ${value})`;
}

export const USAGE = [
  "Usage:",
  "  lambda-package build  <sourcePath> --runtime <name> [options]",
  "  lambda-package verify <sourcePath> --runtime <name> [options]",
  "  lambda-package audit  <zip|dir> --runtime <name> [--architecture <arch>] [--native-check <mode>]",
  "",
  "build   writes the zip and prints its SHA-256, sizes and file count.",
  "verify  builds twice in fresh temporary directories and fails if the bytes differ.",
  "audit   checks the native code in a zip or directory against a Lambda runtime.",
  "",
  "Options:",
  ...FLAGS.map(({ long, spec }) =>
    usageLine(long, spec.cli.short, spec.cli.arg, spec.cli.help + defaultNote(spec)),
  ),
  usageLine("out", "o", "<file.zip>", "where to write the zip (build only; default: a temp file)"),
  usageLine("json", undefined, undefined, "print the result as JSON"),
  usageLine("verbose", "v", undefined, "show the packager's output"),
  usageLine("help", "h", undefined, "show this help"),
  "",
  "Exit codes: 0 ok, 1 build failed or native code will not load, 2 bad usage.",
].join("\n");

/**
 * Turns argv (without node and script) into a request; throws UsageError on
 * bad usage. Values are only converted from text here; `build()` checks them
 * against the option table like any other caller's.
 */
export function parseCli(argv: readonly string[]): CliRequest {
  const { values, positionals } = parse(argv);
  const [command, target, ...extra] = positionals;
  if (values.help || command === "help" || command === undefined) return { command: "help" };
  if (command !== "build" && command !== "verify" && command !== "audit") {
    throw new UsageError(`unknown command "${command}"; expected "build", "verify" or "audit"`);
  }
  if (!target) {
    throw new UsageError(
      `${command} needs a ${command === "audit" ? "<zip|dir>" : "<sourcePath>"}`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (command === "audit") return auditRequest(target, values);
  if (!values.runtime && !values.packager) {
    throw new UsageError("give --runtime <name> (or --packager <script>)");
  }
  if (command === "verify" && values.out) throw new UsageError("--out is for build, not verify");
  const options: Record<string, unknown> = {
    sourcePath: target,
    outFile: typeof values.out === "string" ? values.out : undefined,
    ...optionsFrom(values),
  };
  return {
    command,
    options: options as unknown as BuildOptions,
    json: values.json === true,
    verbose: values.verbose === true,
  };
}

/** `audit` takes only the options that say what native code must be; the rest are build's. */
function auditRequest(target: string, values: Record<string, FlagValue>): CliRequest {
  const allowed = new Set<string>([...AUDIT_OPTIONS, "json", "help"]);
  const other = Object.keys(values).find(
    (name) => !allowed.has(FLAGS.find((f) => f.long === name)?.option ?? name),
  );
  if (other) throw new UsageError(`--${other} is for build and verify, not audit`);
  const options = optionsFrom(values) as Pick<
    BuildOptions,
    "runtime" | "architecture" | "nativeCheck"
  >;
  const runtimes = Object.keys(LAMBDA_RUNTIMES);
  if (!options.runtime || !runtimes.includes(options.runtime)) {
    throw new UsageError(
      `audit needs --runtime <name>, the function's Lambda runtime: one of ${runtimes.join(", ")}` +
        (options.runtime ? `; got "${options.runtime}"` : ""),
    );
  }
  if (options.nativeCheck === "off") {
    throw new UsageError("audit with --native-check off checks nothing");
  }
  return {
    command: "audit",
    path: target,
    runtime: options.runtime,
    architecture: options.architecture,
    nativeCheck: options.nativeCheck ?? PACKAGE_OPTIONS.nativeCheck.default,
    json: values.json === true,
  };
}

/** The package options given as flags, converted from text and checked by their rules. */
function optionsFrom(values: Record<string, FlagValue>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const { option, long, spec } of FLAGS) {
    const raw = values[long];
    if (raw === undefined) continue;
    const value = fromText(long, spec.cli, raw);
    const wrong = spec.rule(value);
    if (wrong !== undefined) throw new UsageError(`--${long} ${wrong}; got "${String(raw)}"`);
    options[option] = value;
  }
  return options;
}

type FlagValue = string | string[] | boolean | undefined;

function parse(argv: readonly string[]): {
  values: Record<string, FlagValue>;
  positionals: string[];
} {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, options: PARSE_OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The option value a flag's text stands for: a number from digits, NAME=VALUE pairs as a map. */
function fromText(long: string, cli: FlagSpec, raw: NonNullable<FlagValue>): unknown {
  if (cli.kind === "pairs") {
    const pairs = (raw as string[]).map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new UsageError(`--${long} takes NAME=VALUE; got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    });
    return Object.fromEntries(pairs);
  }
  if (cli.kind === "number") return /^-?\d+$/.test(raw as string) ? Number(raw) : raw;
  return raw;
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
