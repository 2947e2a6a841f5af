import { existsSync } from "node:fs";
import path from "node:path";
import type { PackageOptions } from "../../engine/options";
import { preflightProblems } from "../../engine/preflight";
import { isCredentialName } from "../../shared/credentials";
import { LambdaPackageError } from "../../shared/errors";
import { show } from "../../shared/format";
import { problem } from "../../shared/rules";
import type { LambdaPackageInputs } from "../args";
import { FIELDS, type Field } from "../fields";
import { objectHeaders } from "../s3/headers";
import { keyPrefixOf, versionKey } from "./layout";
import { readProjectVersion, semverProblem } from "./project-version";
import { UNKNOWN } from "./unknown";

export interface Failure {
  property: string;
  reason: string;
}

export interface CheckOutcome {
  inputs: LambdaPackageInputs;
  failures: Failure[];
}

const known = (v: unknown) => v !== undefined && v !== null && v !== UNKNOWN;

/**
 * Validates the inputs by the field table and fills in what can be known
 * before packaging: paths made relative, the key of the semver layout (so
 * preview shows it) and a version read from the project file. Only cheap I/O:
 * a few stats (the engine's preflight) and one small file read.
 */
export function checkInputs(news: Record<string, unknown>): CheckOutcome {
  const failures: Failure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const inputs = { ...news } as LambdaPackageInputs & Record<string, unknown>;

  for (const [name, value] of Object.entries(inputs)) {
    // A value with an unknown part (preview) is checked when it is known.
    if (!known(value) || !isKnownDeep(value) || name.startsWith("__")) continue;
    const spec = FIELDS[name as Field];
    if (!spec) {
      fail(name, `${name} is not an input of LambdaPackage`);
      continue;
    }
    const wrong = problem(name, spec.rule, value);
    if (wrong) fail(name, wrong);
  }
  for (const [name, spec] of Object.entries(FIELDS)) {
    if ("required" in spec && inputs[name] === undefined)
      fail(name, `${name} is required (${spec.required})`);
  }
  checkCombinations(inputs, fail);
  checkPackagerEnv(inputs, fail);
  checkHeaders(inputs, fail);
  checkFiles(inputs, (property, reason) => {
    // One message per input: the rules above may have said what is wrong already.
    if (!failures.some((f) => f.property === property)) fail(property, reason);
  });
  for (const [name, spec] of Object.entries(FIELDS)) {
    const value = inputs[name];
    if ("path" in spec && typeof value === "string" && value !== UNKNOWN)
      inputs[name] = storedPath(value);
  }
  // The version file is read only from a known, checked source directory; in
  // preview an unknown one leaves version and key unknown, not made up.
  if (known(inputs.versionFrom) && known(inputs.sourcePath) && !failures.length) {
    const { version, problem } = readProjectVersion(
      path.resolve(inputs.sourcePath),
      inputs.versionFrom!,
    );
    if (problem) fail("versionFrom", problem);
    else inputs.version = version;
  }
  if (typeof inputs.version === "string" && inputs.version !== UNKNOWN) {
    const wrong = semverProblem(inputs.version);
    if (wrong) fail("version", `version ${wrong}`);
    else if (known(inputs.keyPrefix) || inputs.keyPrefix === undefined) {
      inputs.key = versionKey(keyPrefixOf(inputs), inputs.version);
    }
  }
  // The engine cannot carry `undefined` across its wire ("Unexpected struct type"):
  // an input is there with a value, or not there.
  for (const [name, value] of Object.entries(inputs)) if (value === undefined) delete inputs[name];
  return { inputs, failures };
}

/** Inputs that only make sense together, or not together. */
function checkCombinations(
  inputs: LambdaPackageInputs,
  fail: (p: string, r: string) => void,
): void {
  if (inputs.runtime === undefined && inputs.packager === undefined) {
    fail(
      "runtime",
      `give "runtime" (e.g. "python3.12", "nodejs22.x", "copy") or "packager" (a script path)`,
    );
  }
  const versioned = inputs.version !== undefined || inputs.versionFrom !== undefined;
  if (inputs.key !== undefined && versioned) {
    fail(
      "key",
      `give either "key" or "version"/"versionFrom", not both: both would choose the key`,
    );
  }
  if (inputs.version !== undefined && inputs.versionFrom !== undefined) {
    fail("versionFrom", `give either "version" or "versionFrom", not both`);
  }
}

/**
 * A token reaches a packager through the environment of `pulumi up` with
 * `inheritCredentials`, never through `packagerEnv`: inputs are kept in the
 * state, and the provider sees every value decrypted, so it cannot tell a
 * `pulumi.secret` from plain text (a given `secretPackagerEnv` names entries
 * without making them secret). Names only: no value of packagerEnv is quoted.
 */
function checkPackagerEnv(inputs: LambdaPackageInputs, fail: (p: string, r: string) => void): void {
  for (const name of Object.keys(inputs.packagerEnv ?? {})) {
    if (isCredentialName(name)) {
      fail(
        "packagerEnv",
        `packagerEnv ${show(name)} looks like a credential, and packagerEnv is kept in the state, ` +
          `in plain text unless given as a secret, which the provider cannot tell. Export it in ` +
          `the environment of \`pulumi up\` and set inheritCredentials: true to pass it to the packager`,
      );
    }
  }
}

/**
 * The object's headers are checked by the very code that builds them for the
 * upload, with stand-ins of the right length for the hashes, so preview
 * fails exactly where `up` would.
 */
function checkHeaders(inputs: LambdaPackageInputs, fail: (p: string, r: string) => void): void {
  const { metadata, tags, serverSideEncryption, kmsKeyId, sourceKey } = inputs;
  if (![metadata, tags, serverSideEncryption, kmsKeyId, sourceKey].every(isKnownDeep)) return;
  try {
    objectHeaders({
      sha256: "0".repeat(64),
      sourceCodeHash: "0".repeat(44),
      sourceKey: sourceKey ?? "",
      metadata,
      tags,
      serverSideEncryption,
      kmsKeyId,
    });
  } catch (error) {
    if (!(error instanceof LambdaPackageError)) throw error;
    fail(error.field ?? "metadata", error.message);
  }
}

/** The engine's cheap file checks: the source directory and the packager, as `build` will find them. */
function checkFiles(inputs: LambdaPackageInputs, fail: (p: string, r: string) => void): void {
  const { sourcePath, runtime, packager, packagersDir, bundle, layer, handler } = inputs;
  if (typeof sourcePath !== "string") return;
  if (![sourcePath, runtime, packager, packagersDir, bundle, layer, handler].every(isKnownDeep))
    return;
  // Values of the wrong type have failed their rule already; the checks see only strings.
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const options = {
    sourcePath,
    runtime: text(runtime),
    packager: text(packager),
    packagersDir: text(packagersDir),
    bundle: bundle === undefined ? undefined : (bundle as PackageOptions["bundle"]),
    layer: layer === true,
    handler: text(handler),
  };
  for (const error of preflightProblems(options)) {
    fail(error.field ?? "sourcePath", error.message);
  }
}

function isKnownDeep(value: unknown): boolean {
  if (value === UNKNOWN) return false;
  if (value !== null && typeof value === "object") return Object.values(value).every(isKnownDeep);
  return true;
}

/**
 * How a path is stored: relative to the program's directory (the provider's
 * cwd) whenever it lies in the same source tree, inside the program's
 * directory or beside it (`../services/api` from `infra/`), so a checkout at
 * another path is no change. The source tree is the git work tree holding
 * the program; without git, the whole file system. Only a path outside the
 * work tree, such as a shared directory of the build machine, stays absolute.
 */
export function storedPath(value: string): string {
  const absolute = path.resolve(value);
  const relative = path.relative(process.cwd(), absolute);
  if (relative === "") return ".";
  if (path.isAbsolute(relative)) return absolute; // another drive
  const tree = workTreeRoot(process.cwd());
  return tree === undefined || isWithin(absolute, tree) ? relative : absolute;
}

function isWithin(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

const workTrees = new Map<string, string | undefined>();

/** The nearest directory at or above `dir` holding `.git` (a directory or, in a worktree, a file). */
function workTreeRoot(dir: string): string | undefined {
  if (!workTrees.has(dir)) {
    let root: string | undefined;
    for (let at = dir; ; at = path.dirname(at)) {
      if (existsSync(path.join(at, ".git"))) {
        root = at;
        break;
      }
      if (path.dirname(at) === at) break;
    }
    workTrees.set(dir, root);
  }
  return workTrees.get(dir);
}
