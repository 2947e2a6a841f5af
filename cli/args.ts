import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  PACKAGE_OPTIONS,
  type BuildOptions,
  type FlagSpec,
  type OptionSpec,
} from "../engine/options";

export class UsageError extends Error {}

export interface CliRequest {
  readonly command: "build" | "verify" | "help";
  readonly options: BuildOptions;
  readonly json: boolean;
  readonly verbose: boolean;
}

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
  help: { type: "boolean", short: "h" },
} as const;

type ParseOption = NonNullable<ParseArgsConfig["options"]>[string];

const PARSE_OPTIONS: ParseArgsConfig["options"] = {
  ...Object.fromEntries(
    FLAGS.flatMap(({ long, cli }): [string, ParseOption][] => [
      [
        long,
        {
          type: cli.kind === "switch" ? "boolean" : "string",
          ...(cli.short && { short: cli.short }),
          ...((cli.kind === "list" || cli.kind === "pairs") && { multiple: true }),
        },
      ],
      ...(cli.negatable ? [[`no-${long}`, { type: "boolean" }] as [string, ParseOption]] : []),
    ]),
  ),
  ...OWN_FLAGS,
};

function usageLine(long: string, short: string | undefined, arg: string | undefined, help: string) {
  const flag = `${short ? `-${short}, ` : "    "}--${long}${arg ? ` ${arg}` : ""}`;
  return `  ${flag.padEnd(27)} ${help}`;
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
  "",
  "build   writes the zip and prints its SHA-256, sizes and file count.",
  "verify  builds twice in fresh temporary directories and fails if the bytes differ.",
  "",
  "Options:",
  ...FLAGS.map((flag) =>
    usageLine(flag.long, flag.cli.short, flag.cli.arg, flag.cli.help + defaultNote(flag)),
  ),
  usageLine("out", "o", "<file.zip>", "where to write the zip (build only; default: a temp file)"),
  usageLine("json", undefined, undefined, "print the result as JSON"),
  usageLine("verbose", "v", undefined, "show the packager's output"),
  usageLine("help", "h", undefined, "show this help"),
  "",
  "Exit codes: 0 ok, 1 build failed, 2 bad usage.",
].join("\n");

/**
 * Turns argv (without node and script) into a request; throws UsageError on
 * bad usage. Values are only converted from text here; `build()` checks them
 * against the option table like any other caller's.
 */
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
  const options: Record<string, unknown> = {
    sourcePath,
    outFile: typeof values.out === "string" ? values.out : undefined,
  };
  for (const { option, long, cli } of FLAGS) {
    const negated = cli.negatable && values[`no-${long}`] === true;
    const raw = negated ? false : values[long];
    if (raw === undefined) continue;
    const value = fromText(long, cli, raw);
    if (cli.field === undefined) options[option] = value;
    else options[option] = { ...(options[option] as object), [cli.field]: value };
  }
  for (const [option, spec] of Object.entries(PACKAGE_OPTIONS) as [string, OptionSpec][]) {
    if (options[option] === undefined) continue;
    const wrong = spec.rule(options[option]);
    if (wrong !== undefined) throw new UsageError(flagProblem(option, wrong, values));
  }
  return {
    command,
    options: options as unknown as BuildOptions,
    json: values.json === true,
    verbose: values.verbose === true,
  };
}

type FlagValue = string | string[] | boolean | undefined;

/** A rule's problem in the user's words: the flag, not the option or field it sets. */
function flagProblem(
  option: string,
  wrong: NonNullable<ReturnType<OptionSpec["rule"]>>,
  values: Record<string, FlagValue>,
): string {
  const field = typeof wrong === "string" ? undefined : wrong.field.split(".")[0];
  const flag = FLAGS.find((f) => f.option === option && f.cli.field === field);
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
