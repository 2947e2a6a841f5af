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
  objectOf,
  oneOf,
  problem,
  stringList,
  stringMap,
  wholeNumber,
  withFieldDefaults,
  type FieldRule,
  type Rule,
} from "../shared/rules";
import {
  BUNDLE_FIELDS,
  BUNDLE_RULE,
  type BundleOptions,
  type NormalizedBundleOptions,
} from "./bundle/options";
import { SIZE_BUDGET_FIELDS, type SizeBudget } from "./contents/budget";
import { handlerRule } from "./handler/spec";

/** Lambda instruction set architectures, as Lambda names them. */
export type Architecture = "x86_64" | "arm64";
export const ARCHITECTURES = ["x86_64", "arm64"] as const satisfies readonly Architecture[];

/** The `architecture` that builds for this machine, with its tools, instead of for Lambda. */
export const LOCAL_ARCHITECTURE = "local";

/** How the python packagers install the project. */
export type PythonMode = "requirements" | "package";
export const PYTHON_MODES = ["requirements", "package"] as const satisfies readonly PythonMode[];

/** What the native-code audit does with what it finds. */
export type NativeCheck = "error" | "warn" | "off";
export const NATIVE_CHECKS = ["error", "warn", "off"] as const satisfies readonly NativeCheck[];

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
   * differ. The native-code audit (`nativeCheck`) checks against the target, this machine's
   * for `"local"`.
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
   * Node.js packagers: bundle the handler with esbuild into one file (`index.js`, or
   * `index.mjs` for ESM) instead of copying the source and installing its dependencies, e.g.
   * `{ entry: "src/handler.ts" }`, or several handlers each into a file of its own, e.g.
   * `{ entries: { orders: "src/orders.ts", users: "src/users.ts" } }`. Imports are resolved through the project's `node_modules`
   * as they are, so install its dependencies first. Its fields are in `BundleOptions`.
   * @default none: the source is copied and its production dependencies installed
   */
  readonly bundle?: BundleOptions;
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
  /**
   * What to do with native code that will not load on Lambda: `"error"` fails the build
   * listing each file, `"warn"` logs the same and goes on, `"off"` skips the check. Every ELF,
   * Mach-O or PE file of the package is audited after packaging, before anything is zipped
   * or uploaded: its machine type against `architecture`, the highest `GLIBC_x.y` it needs
   * against the runtime's glibc, musl linking, and macOS or Windows binaries.
   * @default "error"
   */
  readonly nativeCheck?: NativeCheck;
  /**
   * The function's handler as Lambda takes it, e.g. `"app.handler"`, `"index.handler"` or
   * `"src/api.main"`. When set, the build checks that the package holds the module and that it
   * defines the name: a Python module's top-level `def` or assignment, a bundle's exports as
   * esbuild knows them, a copied Node.js file's exports as far as its text tells. A wrong handler
   * fails the build with the nearest names the package holds; preview already catches a module
   * that a bundle or a copied Node.js source cannot hold.
   * @default none: not checked
   */
  readonly handler?: string;
  /**
   * Ceilings of your own on the package's size, checked when the zip is written, before any
   * upload: `{ zipped: "10 MiB", unzipped: "60 MiB" }` (bytes, or a size with B, KB, MB, GB, KiB,
   * MiB or GiB). A package over one fails with its largest contributors. Lambda's own limit
   * (250 MiB unzipped) is checked in any case.
   * @default none: Lambda's limits only
   */
  readonly sizeBudget?: SizeBudget;
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
   * Receives what a caller should show even where it hides the log: the native-code audit's
   * findings under `nativeCheck: "warn"`.
   * @default `log`
   */
  readonly warn?: (line: string) => void;
  /**
   * Values shown as `***` wherever the packager's output is relayed (the log, error messages);
   * values of credential-like variables the packager gets are masked too. Values shorter than 4
   * characters are not masked: they would blank out ordinary words.
   * @default []
   */
  readonly secrets?: readonly string[];
}

/** How a package option, or one field of an object option, is given on the command line. */
export interface FlagSpec {
  /** Long flag without dashes. @default the option (or field) name in kebab case */
  readonly flag?: string;
  readonly short?: string;
  /** The field of an object option the flag sets, e.g. `entry` of `bundle`. @default none: the whole option */
  readonly field?: string;
  /**
   * `value`: one string; `number`; `list`: repeatable; `pairs`: repeatable NAME=VALUE; `switch`;
   * `valueOrPairs`: one value for `field`, or repeatable NAME=VALUE for `pairsField`.
   */
  readonly kind: "value" | "number" | "list" | "pairs" | "switch" | "valueOrPairs";
  /** For `valueOrPairs`: the field the NAME=VALUE form sets. */
  readonly pairsField?: string;
  /** A switch that also has a `--no-` form, for a field that is on by default. @default false */
  readonly negatable?: boolean;
  /** The placeholder in the usage line, e.g. `<0-9>`. */
  readonly arg?: string;
  /** One line of `--help`. */
  readonly help: string;
}

/** One row of the option table. */
export interface OptionSpec {
  readonly rule: Rule;
  /**
   * Whether the option can change the package's bytes. A change of one that does is a reason to
   * package again, and its value is part of a build's identity (the build cache's key); one that
   * does not (how long a packager may run) is neither.
   */
  readonly shapes: boolean;
  /** The value in effect when the option is left out, if there is one. */
  readonly default?: unknown;
  /** For an object option: the rule and default of each field (its `rule` checks them all). */
  readonly fields?: Readonly<Record<string, FieldRule>>;
  /** The CLI flag, or one flag per field; the source path is the CLI's positional argument instead. */
  readonly cli?: FlagSpec | readonly FlagSpec[];
}

/** 1980-01-01T00:00:00Z, the earliest time a zip entry can carry. */
export const ZIP_EPOCH = 315532800;

/** The option table: every key of `PackageOptions`, no other (the compiler holds it to that). */
export const PACKAGE_OPTIONS = {
  sourcePath: { shapes: true, rule: nonEmpty },
  runtime: {
    shapes: true,
    rule: nonEmpty,
    cli: {
      short: "r",
      kind: "value",
      arg: "<name>",
      help: "packager to run: python3.12, nodejs22.x, generic, copy, ...",
    },
  },
  packager: {
    shapes: true,
    rule: nonEmpty,
    cli: {
      kind: "value",
      arg: "<script>",
      help: "run this packager script instead of looking one up",
    },
  },
  packagersDir: {
    shapes: true,
    rule: nonEmpty,
    cli: {
      kind: "value",
      arg: "<dir>",
      help: "look for <runtime> in this directory before the built-ins",
    },
  },
  exclude: {
    shapes: true,
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
    shapes: true,
    rule: oneOf(...ARCHITECTURES, LOCAL_ARCHITECTURE),
    default: "x86_64",
    cli: {
      kind: "value",
      arg: "<arch>",
      help: "x86_64 or arm64: Lambda-compatible native builds; local: this machine's",
    },
  },
  layer: {
    shapes: true,
    rule: isBoolean,
    default: false,
    cli: {
      kind: "switch",
      help: "lay files out as a Lambda layer (python/, nodejs/node_modules/)",
    },
  },
  pythonMode: {
    shapes: true,
    rule: oneOf(...PYTHON_MODES),
    default: "requirements",
    cli: {
      kind: "value",
      arg: "<mode>",
      help: "requirements (lockfile or requirements.txt) or package (pip install --no-deps .)",
    },
  },
  pythonGroups: {
    shapes: true,
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
    shapes: true,
    rule: nameList,
    default: [],
    cli: {
      flag: "python-extra",
      kind: "list",
      arg: "<extra>",
      help: "lockfile extra of the project to install (repeatable)",
    },
  },
  bundle: {
    shapes: true,
    rule: BUNDLE_RULE,
    fields: BUNDLE_FIELDS,
    cli: [
      {
        field: "entry",
        kind: "valueOrPairs",
        pairsField: "entries",
        arg: "<[name=]file>",
        help:
          "bundle with esbuild from this handler file (.ts, .mts, .js, .mjs) into index.js; " +
          "name=file (repeatable) bundles several, each into name.js",
      },
      { field: "format", kind: "value", arg: "<cjs|esm>", help: "the bundle's module format" },
      {
        flag: "external",
        field: "externals",
        kind: "list",
        arg: "<pattern>",
        help: "leave this import out of the bundle (repeatable; replaces @aws-sdk/*)",
      },
      {
        flag: "node-module",
        field: "nodeModules",
        kind: "list",
        arg: "<package>",
        help: "install this package beside the bundle instead (repeatable)",
      },
      { field: "minify", kind: "switch", help: "minify the bundle" },
      {
        field: "manifests",
        kind: "switch",
        help: "write a package.json stub of each inlined package into the zip, for scanners",
      },
      {
        field: "sourcemap",
        kind: "switch",
        negatable: true,
        help: "write index.js.map beside the bundle, mapping the project's own sources",
      },
      {
        flag: "sources-content",
        field: "sourcesContent",
        kind: "switch",
        help: "put the sources' text into the map too",
      },
      {
        field: "define",
        kind: "pairs",
        arg: "<NAME=EXPR>",
        help: "replace NAME by the expression EXPR in the bundle (repeatable)",
      },
      { field: "banner", kind: "value", arg: "<js>", help: "put this at the top of the bundle" },
    ],
  },
  compressionLevel: {
    shapes: true,
    rule: wholeNumber(0, 9, "from 0 (store) to 9 (smallest)"),
    default: 9,
    cli: { flag: "level", short: "l", kind: "number", arg: "<0-9>", help: "deflate level" },
  },
  packagerEnv: {
    shapes: true,
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
    shapes: true,
    rule: isBoolean,
    default: false,
    cli: { kind: "switch", help: "pass credential-like variables to the packager" },
  },
  packagerTimeout: {
    shapes: false,
    rule: wholeNumber(1, 86400, "of seconds from 1 to 86400"),
    default: 900,
    cli: { kind: "number", arg: "<seconds>", help: "stop the packager after this long" },
  },
  nativeCheck: {
    shapes: false,
    rule: oneOf(...NATIVE_CHECKS),
    default: "error",
    cli: {
      kind: "value",
      arg: "<mode>",
      help: "native code that will not load on Lambda: error, warn or off",
    },
  },
  // Neither changes a byte: they pass or stop a build, as nativeCheck does.
  handler: {
    shapes: false,
    rule: handlerRule,
    cli: {
      kind: "value",
      arg: "<module.name>",
      help: "check that the package holds this handler (app.handler, src/api.main)",
    },
  },
  sizeBudget: {
    shapes: false,
    rule: objectOf(SIZE_BUDGET_FIELDS),
    fields: SIZE_BUDGET_FIELDS,
    cli: [
      {
        flag: "max-zipped",
        field: "zipped",
        kind: "value",
        arg: "<size>",
        help: "fail when the zip is larger (bytes, or e.g. 10MiB, 8MB)",
      },
      {
        flag: "max-unzipped",
        field: "unzipped",
        kind: "value",
        arg: "<size>",
        help: "fail when the files take more unzipped (bytes, or e.g. 60MiB)",
      },
    ],
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
export type NormalizedBuildOptions = Omit<BuildOptions, "bundle"> &
  Defaulted & {
    readonly bundle?: NormalizedBundleOptions;
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
    if (spec.fields)
      filled[name] = withFieldDefaults(spec.fields, value as Record<string, unknown>);
  }
  const sourceDateEpoch = options.sourceDateEpoch ?? sourceDateEpochFromEnv() ?? ZIP_EPOCH;
  return {
    ...(filled as unknown as Omit<NormalizedBuildOptions, "sourceDateEpoch">),
    sourceDateEpoch,
  };
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
