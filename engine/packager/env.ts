import { isCredentialName } from "../../shared/credentials";
import { LambdaPackageError } from "../../shared/errors";
import { PACKAGE_OPTIONS } from "../options";
import type { RunPackagerOptions } from "./run";
import { packageRoot } from "./root";

/** The variables every packager gets (packagers/README.md), set by the engine only. */
export const CONTRACT_VARIABLES = [
  "RUNTIME",
  "SOURCE_PATH",
  "PACKAGE_ZIP",
  "TF_PATH",
  "BUILD_DIR",
  "ARCHITECTURE",
  "LAYER",
  "PYTHON_MODE",
  "PYTHON_GROUPS",
  "PYTHON_EXTRAS",
  "SOURCE_MANIFEST",
  "BUNDLE",
  "NODE_BINARY",
] as const;

type ContractVariable = (typeof CONTRACT_VARIABLES)[number];

/** Where the packager writes, made by `runPackager`. */
export interface PackagerDirs {
  /** Empty staging directory the packager fills: `BUILD_DIR`. */
  readonly buildDir: string;
  /** Existing empty zip the packager may add files to: `PACKAGE_ZIP`. */
  readonly packageZip: string;
  /** Where the packager may ask for the source to be included as it is: `SOURCE_MANIFEST`. */
  readonly sourceManifest: string;
}

/**
 * The packager's environment: the parent's minus anything that looks like a
 * credential (unless `inheritCredentials`), then the contract variables, then
 * `packagerEnv` (explicit values always pass, credential-like or not).
 */
export function packagerEnvironment(
  options: RunPackagerOptions,
  dirs: PackagerDirs,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (!options.inheritCredentials && isCredentialName(name)) continue;
    result[name] = value;
  }
  Object.assign(result, contractVariables(options, dirs));
  for (const [name, value] of Object.entries(options.packagerEnv ?? {})) {
    assertNotContract(name);
    result[name] = value;
  }
  return result;
}

function contractVariables(
  options: RunPackagerOptions,
  dirs: PackagerDirs,
): Record<ContractVariable, string> {
  return {
    RUNTIME: options.runtime,
    SOURCE_PATH: options.sourcePath,
    PACKAGE_ZIP: dirs.packageZip,
    TF_PATH: packageRoot,
    BUILD_DIR: dirs.buildDir,
    ARCHITECTURE: options.architecture ?? PACKAGE_OPTIONS.architecture.default,
    LAYER: (options.layer ?? PACKAGE_OPTIONS.layer.default) ? "1" : "0",
    PYTHON_MODE: options.pythonMode ?? PACKAGE_OPTIONS.pythonMode.default,
    // Names are PEP 508 names (the option's rule), so a space separates them safely.
    PYTHON_GROUPS: (options.pythonGroups ?? PACKAGE_OPTIONS.pythonGroups.default).join(" "),
    PYTHON_EXTRAS: (options.pythonExtras ?? PACKAGE_OPTIONS.pythonExtras.default).join(" "),
    SOURCE_MANIFEST: dirs.sourceManifest,
    BUNDLE: options.bundle === undefined ? "" : JSON.stringify(options.bundle),
    // The Node.js running the engine, which the nodejs packagers run their
    // code with: the one on PATH may be older, or missing.
    NODE_BINARY: process.execPath,
  };
}

const OPTION_FOR: Partial<Record<ContractVariable, string>> = {
  RUNTIME: "runtime",
  ARCHITECTURE: "architecture",
  LAYER: "layer",
  PYTHON_MODE: "pythonMode",
  PYTHON_GROUPS: "pythonGroups",
  PYTHON_EXTRAS: "pythonExtras",
  SOURCE_PATH: "sourcePath",
  BUNDLE: "bundle",
};

// Overriding BUILD_DIR or PACKAGE_ZIP would make the engine zip a directory
// the packager never wrote; the options say the same thing without that trap.
function assertNotContract(name: string): void {
  if (!(CONTRACT_VARIABLES as readonly string[]).includes(name)) return;
  const option = OPTION_FOR[name as ContractVariable];
  throw new LambdaPackageError(
    "ENV_RESERVED",
    `packagerEnv.${name} is set by lambda-package for every packager and cannot be overridden. ` +
      (option ? `Use the ${option} option instead.` : "Remove it from packagerEnv."),
    { field: "packagerEnv" },
  );
}
