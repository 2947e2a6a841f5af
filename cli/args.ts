import { parseArgs, type ParseArgsConfig } from "node:util";
import { nearestNames } from "../shared/nearest";
import { LAMBDA_RUNTIMES } from "../engine/audit";
import {
  PACKAGE_OPTIONS,
  type BuildOptions,
  type FlagSpec,
  type NativeCheck,
  type OptionSpec,
} from "../engine/options";

export class UsageError extends Error {}

/** What the command line asks for, by command. */
export type CliRequest =
  | { readonly command: "help" }
  | {
      readonly command: "build" | "verify";
      readonly options: BuildOptions;
      readonly json: boolean;
      readonly verbose: boolean;
    }
  | {
      readonly command: "key";
      /** Paths to key on, relative to `cwd`. */
      readonly paths: readonly string[];
      /** Directory the paths are relative to; undefined means the current one. */
      readonly cwd?: string;
    }
  | {
      readonly command: "diff";
      /** A zip file or `s3://bucket/key[?versionId=…]`: the first side. */
      readonly before: string;
      /** The same for the second side. */
      readonly after: string;
      readonly json: boolean;
    }
  | {
      readonly command: "inspect";
      /** A zip file or `s3://bucket/key[?versionId=…]`. */
      readonly zip: string;
      readonly json: boolean;
    }
  | {
      readonly command: "audit";
      /** The zip or directory to audit. */
      readonly path: string;
      readonly runtime: string;
      readonly architecture?: BuildOptions["architecture"];
      readonly nativeCheck: Exclude<NativeCheck, "off">;
      readonly json: boolean;
    };

/** The options `audit` takes: what the audit is held to, and what it does with findings. */
const AUDIT_OPTIONS: readonly (keyof BuildOptions)[] = ["runtime", "architecture", "nativeCheck"];

/** A flag of the build: the option it sets (or the option's field), its long name and spec. */
interface Flag {
  readonly option: keyof BuildOptions;
  readonly long: string;
  readonly cli: FlagSpec;
  readonly spec: OptionSpec;
}

/** Every flag of the package options, in table order: one per option, or one per field. */
const FLAGS: readonly Flag[] = (
  Object.entries(PACKAGE_OPTIONS) as [keyof BuildOptions, OptionSpec][]
).flatMap(([option, spec]) => {
  const flags = spec.cli === undefined ? [] : Array.isArray(spec.cli) ? spec.cli : [spec.cli];
  return (flags as readonly FlagSpec[]).map((cli) => ({
    option,
    long: cli.flag ?? kebabCase(cli.field ?? option),
    cli,
    spec,
  }));
});

/** Flags of the CLI itself, not of the build. */
const OWN_FLAGS = {
  out: { type: "string", short: "o" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  cwd: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The long names of the package options' flags, with the --no- form of a negatable one. */
function buildFlags(): string[] {
  return FLAGS.flatMap(({ long, cli }) => (cli.negatable ? [long, `no-${long}`] : [long]));
}

/** The flags each command takes besides --help; any other is bad usage. */
const COMMAND_FLAGS: Record<
  "build" | "verify" | "key" | "diff" | "inspect" | "audit",
  readonly string[]
> = {
  build: [...buildFlags(), "out", "json", "verbose"],
  verify: [...buildFlags(), "json", "verbose"],
  key: ["cwd"],
  diff: ["json"],
  inspect: ["json"],
  audit: [...FLAGS.filter((f) => AUDIT_OPTIONS.includes(f.option)).map((f) => f.long), "json"],
};

type ParseOption = NonNullable<ParseArgsConfig["options"]>[string];

const PARSE_OPTIONS: ParseArgsConfig["options"] = {
  ...Object.fromEntries(
    FLAGS.flatMap(({ long, cli }): [string, ParseOption][] => [
      [
        long,
        {
          type: cli.kind === "switch" ? "boolean" : "string",
          ...(cli.short && { short: cli.short }),
          ...((cli.kind === "list" || cli.kind === "pairs" || cli.kind === "valueOrPairs") && {
            multiple: true,
          }),
        },
      ],
      ...(cli.negatable ? [[`no-${long}`, { type: "boolean" }] as [string, ParseOption]] : []),
    ]),
  ),
  ...OWN_FLAGS,
};

function usageLine(long: string, short: string | undefined, arg: string | undefined, help: string) {
  const flag = `${short ? `-${short}, ` : "    "}--${long}${arg ? ` ${arg}` : ""}`;
  // A flag longer than the column still gets two spaces before its help.
  return `  ${flag.padEnd(Math.max(28, flag.length + 2))}${help}`;
}

function defaultNote({ cli, spec }: Flag): string {
  const value = cli.field === undefined ? spec.default : spec.fields?.[cli.field]?.default;
  if (cli.negatable && value === true)
    return ` (default on; --no-${cli.flag ?? kebabCase(cli.field!)} for off)`;
  // Switches are off and lists empty by default; only a value worth saying is said.
  if (typeof value !== "string" && typeof value !== "number") return "";
  return ` (default ${value})`;
}

export const USAGE = [
  "Usage:",
  "  lambda-package build  <sourcePath> --runtime <name> [options]",
  "  lambda-package verify <sourcePath> --runtime <name> [options]",
  "  lambda-package key    <path>... [--cwd <dir>]",
  "  lambda-package diff   <zip> <zip> [--json]",
  "  lambda-package inspect <zip> [--json]",
  "  lambda-package audit  <zip|dir> --runtime <name> [--architecture <arch>] [--native-check <mode>]",
  "",
  "build   writes the zip and prints its SHA-256, sizes, file count and largest contributors.",
  "verify  builds twice, the second time from a copy at another path, and fails if the bytes differ.",
  "audit   checks the native code in a zip or directory against a Lambda runtime.",
  "key     prints the gitSourceKey of the paths: git's tree ids at HEAD, -dirty with uncommitted changes.",
  "diff    compares the file lists of two zips, each a file or s3://bucket/key[?versionId=<id>],",
  "        read from their central directories: files added, removed and changed (CRC-32, size, mode),",
  "        and the size change of each group (npm package, Python distribution, own files).",
  "inspect prints a zip's size by group, largest first: npm packages, Python distributions (from",
  "        their RECORD), own files; a zip file or s3://bucket/key[?versionId=<id>].",
  "",
  "Options of build and verify:",
  ...FLAGS.map((flag) =>
    usageLine(flag.long, flag.cli.short, flag.cli.arg, flag.cli.help + defaultNote(flag)),
  ),
  usageLine("out", "o", "<file.zip>", "where to write the zip (build only; default: a temp file)"),
  usageLine("json", undefined, undefined, "print the result as JSON"),
  usageLine("verbose", "v", undefined, "show the packager's output"),
  "",
  "Options of key:",
  usageLine(
    "cwd",
    undefined,
    "<dir>",
    "directory the paths are relative to (default: the current one)",
  ),
  "",
  "Options of diff:",
  usageLine("json", undefined, undefined, "print the diff as JSON"),
  "",
  "Options of inspect:",
  usageLine(
    "json",
    undefined,
    undefined,
    "print the contents as JSON (every group, sizes in bytes)",
  ),
  "",
  "Options of audit: --runtime, --architecture, --native-check (as for build), --json.",
  "",
  usageLine("help", "h", undefined, "show this help"),
  "",
  "Exit codes: 0 ok, 1 failed (a build, or native code that will not load), 2 bad usage.",
  "diff: 0 the same files, 1 files differ, 2 bad usage or a zip that cannot be read.",
  "S3 settings come from the environment: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_S3, credentials.",
].join("\n");

/**
 * Turns argv (without node and script) into a request; throws UsageError on
 * bad usage. Values are only converted from text here; `build()` checks them
 * against the option table like any other caller's.
 */
export function parseCli(argv: readonly string[]): CliRequest {
  const { values, positionals } = parse(argv);
  const [command, ...operands] = positionals;
  if (values.help || command === "help" || command === undefined) return { command: "help" };
  if (!(command in COMMAND_FLAGS)) {
    throw new UsageError(
      `unknown command "${command}"; expected "build", "verify", "key", "diff", "inspect" or "audit"`,
    );
  }
  const allowed = new Set([...COMMAND_FLAGS[command as keyof typeof COMMAND_FLAGS], "help"]);
  const stray = Object.keys(values).filter((flag) => !allowed.has(flag));
  if (stray.length > 0) {
    throw new UsageError(`${stray.map((f) => `--${f}`).join(", ")} is not an option of ${command}`);
  }
  if (command === "key") {
    if (operands.length === 0) throw new UsageError("key needs one <path> or more");
    const cwd = typeof values.cwd === "string" ? values.cwd : undefined;
    return { command, paths: operands, ...(cwd !== undefined && { cwd }) };
  }
  if (command === "diff") {
    if (operands.length !== 2) {
      throw new UsageError(`diff needs two zips, each a file or s3:// URI; got ${operands.length}`);
    }
    return { command, before: operands[0], after: operands[1], json: values.json === true };
  }
  if (command === "inspect") {
    if (operands.length !== 1) {
      throw new UsageError(`inspect needs one zip, a file or s3:// URI; got ${operands.length}`);
    }
    return { command, zip: operands[0], json: values.json === true };
  }
  if (command === "audit") return auditRequest(operands, values);
  return buildRequest(command as "build" | "verify", operands, values);
}

/** `audit` takes only the options that say what native code must be; the rest are build's. */
function auditRequest(operands: readonly string[], values: Record<string, FlagValue>): CliRequest {
  const [target, ...extra] = operands;
  if (!target) throw new UsageError("audit needs a <zip|dir>");
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
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

function buildRequest(
  command: "build" | "verify",
  operands: readonly string[],
  values: Record<string, FlagValue>,
): CliRequest {
  const [sourcePath, ...extra] = operands;
  if (!sourcePath) throw new UsageError(`${command} needs a <sourcePath>`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (!values.runtime && !values.packager) {
    throw new UsageError("give --runtime <name> (or --packager <script>)");
  }
  const options: Record<string, unknown> = {
    sourcePath,
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

/** The package options given as flags, converted from text and checked by their rules. */
function optionsFrom(values: Record<string, FlagValue>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const { option, long, cli } of FLAGS) {
    const negated = cli.negatable && values[`no-${long}`] === true;
    const raw = negated ? false : values[long];
    if (raw === undefined) continue;
    const value = fromText(long, cli, raw);
    const field =
      cli.kind === "valueOrPairs" && typeof value === "object" ? cli.pairsField : cli.field;
    if (field === undefined) options[option] = value;
    else options[option] = { ...(options[option] as object), [field]: value };
  }
  for (const [option, spec] of Object.entries(PACKAGE_OPTIONS) as [string, OptionSpec][]) {
    if (options[option] === undefined) continue;
    const wrong = spec.rule(options[option]);
    if (wrong !== undefined) throw new UsageError(flagProblem(option, wrong, values));
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
    const message = (error as Error).message;
    const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION";
    const flag = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
    if (!unknown || flag === undefined) throw new UsageError(message);
    const close = nearestNames(flag, Object.keys(PARSE_OPTIONS ?? {})).map((f) => `--${f}`);
    throw new UsageError(
      close.length > 0
        ? `unknown option --${flag}; did you mean ${close.join(" or ")}? See --help.`
        : `${message} See --help for the options.`,
    );
  }
}

/** A NAME=VALUE of a `valueOrPairs` flag: a name that could not be part of a path before the `=`. */
const NAMED_VALUE = /^([A-Za-z0-9_-]+)=(.+)$/;

/**
 * The option value a flag's text stands for: a number from digits, NAME=VALUE pairs as a map;
 * for a `valueOrPairs` flag, one plain value, or a map when each given is NAME=VALUE.
 */
function fromText(long: string, cli: FlagSpec, raw: NonNullable<FlagValue>): unknown {
  if (cli.kind === "valueOrPairs") {
    const given = raw as string[];
    const named = given.map((text) => NAMED_VALUE.exec(text));
    if (given.length === 1 && named[0] === null) return given[0];
    if (named.some((match) => match === null)) {
      // `<[name=]file>` → `<file>`: the one plain value, and what each named one holds.
      const value = (cli.arg ?? "<value>").replace(/\[.*\]/, "");
      throw new UsageError(
        `--${long} takes one ${value}, or name=${value} for each of several; got ` +
          given.map((g) => `"${g}"`).join(", "),
      );
    }
    const map: Record<string, string> = {};
    for (const match of named as RegExpExecArray[]) {
      if (match[1] in map) throw new UsageError(`--${long} gives ${match[1]} twice`);
      map[match[1]] = match[2];
    }
    return map;
  }
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

/** A rule's problem in the user's words: the flag, not the option or field it sets. */
function flagProblem(
  option: string,
  wrong: NonNullable<ReturnType<OptionSpec["rule"]>>,
  values: Record<string, FlagValue>,
): string {
  const field = typeof wrong === "string" ? undefined : wrong.field.split(".")[0];
  const flag = FLAGS.find(
    (f) => f.option === option && (f.cli.field === field || f.cli.pairsField === field),
  );
  const name = flag ? `--${flag.long}` : `${option}.${field}`;
  const text = typeof wrong === "string" ? wrong : wrong.wrong;
  const raw = flag ? values[flag.long] : undefined;
  // Flags of the same option set its other fields, which the rule may require.
  const given = FLAGS.filter((f) => f.option === option && values[f.long] !== undefined);
  const context =
    raw === undefined && given.length > 0
      ? ` with ${given.map((f) => `--${f.long}`).join(", ")}`
      : raw === undefined
        ? ""
        : `; got "${String(raw)}"`;
  return `${name} ${text}${context}`;
}
