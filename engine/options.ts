/**
 * The options of a build, documented and checked in one place. The provider's
 * inputs of the same names and the CLI's flags are derived from this table,
 * so a packaging option is one decision: its type and doc in `PackageOptions`,
 * its rule, default and flag in `PACKAGE_OPTIONS`.
 */
import { LambdaPackageError } from "../shared/errors";
import {
  isBoolean,
  nameList,
  nonEmpty,
  oneOf,
  problem,
  stringList,
  stringMap,
  wholeNumber,
  type Rule,
} from "../shared/rules";

/** Lambda instruction set architectures, as Lambda names them. */
export type Architecture = "x86_64" | "arm64";
export const ARCHITECTURES = ["x86_64", "arm64"] as const satisfies readonly Architecture[];

/** The `architecture` that builds for this machine, with its tools, instead of for Lambda. */
export const LOCAL_ARCHITECTURE = "local";

/** How the python packagers install the project. */
export type PythonMode = "requirements" | "package";
export const PYTHON_MODES = ["requirements", "package"] as const satisfies readonly PythonMode[];

/** What shapes a package: the source, the packager and how its output is zipped. */
export interface PackageOptions {
  /**
   * Directory holding the function's code, e.g. `./services/api`. Relative paths are resolved
   * from the working directory (for a Pulumi program, its project directory).
   */
  readonly sourcePath: string;
  /**
   * Packager to run, named after the Lambda runtime: `python3.12`, `nodejs22.x`, `generic`,
   * `copy`, or a script of that name in `packagersDir`.
   * @default the file name of `packager`, when that is set
   */
  readonly runtime?: string;
  /**
   * Path of your own packager script, e.g. `./build/package.sh`; wins over the lookup by
   * `runtime`.
   * @default none: looked up by `runtime`
   */
  readonly packager?: string;
  /**
   * Directory of your own packagers, one executable per runtime name, searched for `runtime`
   * before the built-in ones.
   * @default none: built-in packagers only
   */
  readonly packagersDir?: string;
  /**
   * Gitignore-style patterns of paths left out of the zip, e.g. `["tests/", "*.md"]`.
   * `.git`, `.DS_Store` and `node_modules/.cache` are always left out.
   * @default []
   */
  readonly exclude?: readonly string[];
  /**
   * Target architecture: Lambda's `x86_64` or `arm64`, or `local` for this machine's. Packagers
   * that install native code pick Lambda-compatible builds for it (python: manylinux wheels for
   * the runtime's Python and glibc; nodejs: npm's `--os=linux --cpu`). With `"local"` they build
   * for this machine with its own tools (python: the local Python, which may compile source
   * distributions), which may not load on Lambda when this machine's CPU, glibc or Python
   * differ.
   * @default "x86_64"
   */
  readonly architecture?: Architecture | typeof LOCAL_ARCHITECTURE;
  /**
   * Lay files out as a Lambda layer expects (`python/…`, `nodejs/node_modules/…`).
   * @default false
   */
  readonly layer?: boolean;
  /**
   * Python packagers: install the dependencies from `uv.lock`, `poetry.lock`, `pylock.toml` or
   * `requirements.txt`, the first found (`"requirements"`), or the project itself from its
   * `pyproject.toml`/`setup.py` with `pip install --no-deps` (`"package"`).
   * @default "requirements"
   */
  readonly pythonMode?: PythonMode;
  /**
   * Python packagers, installing from a lockfile: dependency groups to install besides the main
   * dependencies, e.g. `["monitoring"]` (uv's `--group`, Poetry's `--with`, pylock's
   * `dependency_groups`). A group the lockfile does not have is an error.
   * @default []
   */
  readonly pythonGroups?: readonly string[];
  /**
   * Python packagers, installing from a lockfile: extras of the project to install, e.g.
   * `["postgres"]` (uv's `--extra`, Poetry's `--extras`, pylock's `extras`). An extra the
   * lockfile does not have is an error.
   * @default []
   */
  readonly pythonExtras?: readonly string[];
  /**
   * Deflate level, a whole number from 0 (store) to 9 (smallest).
   * @default 9
   */
  readonly compressionLevel?: number;
  /**
   * Extra environment variables for the packager, e.g. `{ PIP_INDEX_URL: "…" }`. These always
   * reach it, even credential-like names; the provider stores them in state, so it refuses
   * credential-like names there.
   * @default {}
   */
  readonly packagerEnv?: Readonly<Record<string, string>>;
  /**
   * Pass the credential-like variables of this process's environment (tokens, AWS keys,
   * passwords) to the packager, e.g. `NPM_TOKEN` for a private registry.
   * @default false
   */
  readonly inheritCredentials?: boolean;
  /**
   * Seconds the packager may run, from 1 to 86400; past that its whole process group is
   * stopped and the build fails.
   * @default 900
   */
  readonly packagerTimeout?: number;
}

/** Progress of a long build, reported while files are compressed. */
export interface BuildProgress {
  readonly phase: "packaging" | "zipping";
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

/** Everything `build()` takes: the package options and where the result goes. */
export interface BuildOptions extends PackageOptions {
  /** Where to write the zip. @default a file in a fresh temporary directory */
  readonly outFile?: string;
  /** Timestamp of every entry, seconds since the epoch. @default $SOURCE_DATE_EPOCH, else 1980-01-01 */
  readonly sourceDateEpoch?: number;
  /** Called as files are compressed. */
  readonly onProgress?: (progress: BuildProgress) => void;
  /** Receives the packager's output lines and the engine's own notes. */
  readonly log?: (line: string) => void;
  /**
   * Values shown as `***` wherever the packager's output is relayed (the log, error messages);
   * values of credential-like variables the packager gets are masked too. Values shorter than 4
   * characters are not masked: they would blank out ordinary words.
   * @default []
   */
  readonly secrets?: readonly string[];
}

/** How a package option is given on the command line. */
export interface FlagSpec {
  /** Long flag without dashes. @default the option name in kebab case */
  readonly flag?: string;
  readonly short?: string;
  /** `value`: one string; `number`; `list`: repeatable; `pairs`: repeatable NAME=VALUE; `switch`. */
  readonly kind: "value" | "number" | "list" | "pairs" | "switch";
  /** The placeholder in the usage line, e.g. `<0-9>`. */
  readonly arg?: string;
  /** One line of `--help`. */
  readonly help: string;
}

/** One row of the option table. */
export interface OptionSpec {
  readonly rule: Rule;
  /** The value in effect when the option is left out, if there is one. */
  readonly default?: unknown;
  /** The CLI flag; the source path is the CLI's positional argument instead. */
  readonly cli?: FlagSpec;
}

/** 1980-01-01T00:00:00Z, the earliest time a zip entry can carry. */
export const ZIP_EPOCH = 315532800;

/** The option table: every key of `PackageOptions`, no other (the compiler holds it to that). */
export const PACKAGE_OPTIONS = {
  sourcePath: { rule: nonEmpty },
  runtime: {
    rule: nonEmpty,
    cli: {
      short: "r",
      kind: "value",
      arg: "<name>",
      help: "packager to run: python3.12, nodejs22.x, generic, copy, ...",
    },
  },
  packager: {
    rule: nonEmpty,
    cli: {
      kind: "value",
      arg: "<script>",
      help: "run this packager script instead of looking one up",
    },
  },
  packagersDir: {
    rule: nonEmpty,
    cli: {
      kind: "value",
      arg: "<dir>",
      help: "look for <runtime> in this directory before the built-ins",
    },
  },
  exclude: {
    rule: stringList,
    default: [],
    cli: {
      short: "x",
      kind: "list",
      arg: "<pattern>",
      help: "gitignore-style pattern to leave out (repeatable)",
    },
  },
  architecture: {
    rule: oneOf(...ARCHITECTURES, LOCAL_ARCHITECTURE),
    default: "x86_64",
    cli: {
      kind: "value",
      arg: "<arch>",
      help: "x86_64 or arm64: Lambda-compatible native builds; local: this machine's",
    },
  },
  layer: {
    rule: isBoolean,
    default: false,
    cli: {
      kind: "switch",
      help: "lay files out as a Lambda layer (python/, nodejs/node_modules/)",
    },
  },
  pythonMode: {
    rule: oneOf(...PYTHON_MODES),
    default: "requirements",
    cli: {
      kind: "value",
      arg: "<mode>",
      help: "requirements (lockfile or requirements.txt) or package (pip install --no-deps .)",
    },
  },
  pythonGroups: {
    rule: nameList,
    default: [],
    cli: {
      flag: "python-group",
      kind: "list",
      arg: "<group>",
      help: "lockfile dependency group to install too (repeatable)",
    },
  },
  pythonExtras: {
    rule: nameList,
    default: [],
    cli: {
      flag: "python-extra",
      kind: "list",
      arg: "<extra>",
      help: "lockfile extra of the project to install (repeatable)",
    },
  },
  compressionLevel: {
    rule: wholeNumber(0, 9, "from 0 (store) to 9 (smallest)"),
    default: 9,
    cli: { flag: "level", short: "l", kind: "number", arg: "<0-9>", help: "deflate level" },
  },
  packagerEnv: {
    rule: stringMap,
    default: {},
    cli: {
      flag: "env",
      short: "e",
      kind: "pairs",
      arg: "<NAME=VALUE>",
      help: "extra variable for the packager (repeatable)",
    },
  },
  inheritCredentials: {
    rule: isBoolean,
    default: false,
    cli: { kind: "switch", help: "pass credential-like variables to the packager" },
  },
  packagerTimeout: {
    rule: wholeNumber(1, 86400, "of seconds from 1 to 86400"),
    default: 900,
    cli: { kind: "number", arg: "<seconds>", help: "stop the packager after this long" },
  },
} as const satisfies { readonly [K in keyof PackageOptions]-?: OptionSpec };

type Defaulted = {
  [
    K in keyof typeof PACKAGE_OPTIONS as (typeof PACKAGE_OPTIONS)[K] extends { default: unknown }
      ? K
      : never
  ]-?: NonNullable<PackageOptions[K]>;
};

/** `BuildOptions` after `normalizeBuildOptions`: checked, defaults filled in, paths absolute. */
export type NormalizedBuildOptions = BuildOptions &
  Defaulted & {
    readonly sourceDateEpoch: number;
  };

/**
 * Checks every option against its rule and fills in the defaults, once, at
 * the top of the engine; the code below trusts what it returns. A bad value
 * is a `BAD_<OPTION>` error naming the option, the value and what is allowed.
 */
export function normalizeBuildOptions(options: BuildOptions): NormalizedBuildOptions {
  const filled: Record<string, unknown> = { ...options };
  for (const [name, spec] of Object.entries(PACKAGE_OPTIONS) as [string, OptionSpec][]) {
    const value = filled[name];
    if (value === undefined) {
      if ("default" in spec) filled[name] = spec.default;
      continue;
    }
    const wrong = problem(name, spec.rule, value);
    if (wrong) throw new LambdaPackageError(`BAD_${constantCase(name)}`, `${wrong}.`);
  }
  const sourceDateEpoch = options.sourceDateEpoch ?? sourceDateEpochFromEnv() ?? ZIP_EPOCH;
  return { ...(filled as unknown as BuildOptions & Defaulted), sourceDateEpoch };
}

/** `compressionLevel` → `COMPRESSION_LEVEL`. */
function constantCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

function sourceDateEpochFromEnv(): number | undefined {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new LambdaPackageError(
      "BAD_SOURCE_DATE_EPOCH",
      `SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got "${raw}". Unset it or fix it.`,
    );
  }
  return Math.max(value, ZIP_EPOCH);
}
