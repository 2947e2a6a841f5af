import { statSync } from "node:fs";
import path from "node:path";
import type { LambdaPackageInputs } from "../args";
import { keyPrefixOf, versionKey } from "./layout";
import { UNKNOWN } from "./unknown";
import { checkFields, show, type Failure } from "./validate";
import { readProjectVersion, semverProblem } from "./version";

/** Our own object metadata; a user value under these names would be shadowed. */
export const RESERVED_METADATA = ["sha256", "source-key", "source-code-hash"];
const CREDENTIAL_NAME =
  /(SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY)/i;

export interface CheckOutcome {
  inputs: LambdaPackageInputs;
  failures: Failure[];
}

/**
 * Validates the inputs and fills in what can be known before packaging: the
 * key of the semver layout (so preview shows it) and a version read from the
 * project file. Only cheap I/O: a stat of the source and one small file read.
 */
export function checkInputs(news: Record<string, unknown>): CheckOutcome {
  const failures = checkFields(news);
  const inputs = { ...news } as LambdaPackageInputs & Record<string, unknown>;
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const known = (v: unknown) => v !== undefined && v !== UNKNOWN;

  for (const [field, hint] of Object.entries(REQUIRED)) {
    if (inputs[field as keyof typeof REQUIRED] === undefined)
      fail(field, `${field} is required (${hint})`);
  }
  checkCombinations(inputs, fail);
  checkMetadata(inputs, fail);
  checkPackagerEnv(inputs, fail);

  for (const [field, kind] of PATH_FIELDS) {
    const value = inputs[field];
    if (typeof value === "string" && value !== UNKNOWN)
      inputs[field] = normalisePath(field, value, kind, fail);
  }
  if (known(inputs.versionFrom) && typeof inputs.sourcePath === "string" && !failures.length) {
    const { version, problem } = readProjectVersion(
      path.resolve(inputs.sourcePath),
      inputs.versionFrom!,
    );
    if (problem) fail("versionFrom", problem);
    inputs.version = version;
  }
  if (typeof inputs.version === "string" && inputs.version !== UNKNOWN) {
    const problem = semverProblem(inputs.version);
    if (problem) fail("version", `version ${problem}`);
    else if (known(inputs.keyPrefix) || inputs.keyPrefix === undefined) {
      inputs.key = versionKey(keyPrefixOf(inputs), inputs.version);
    }
  }
  return { inputs, failures };
}

/** Inputs without a default, and what to give. */
const REQUIRED = {
  bucket: "the name of an existing bucket with versioning Enabled",
  sourcePath: "the directory holding the function's code",
  sourceKey: "a git commit SHA of the source is the usual choice",
};

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
  if (inputs.kmsKeyId !== undefined && inputs.serverSideEncryption !== "aws:kms") {
    fail("kmsKeyId", `kmsKeyId needs serverSideEncryption: "aws:kms"; set it, or drop kmsKeyId`);
  }
}

const PATH_FIELDS = [
  ["sourcePath", "directory"],
  ["packagersDir", "directory"],
  ["packager", "file"],
] as const;

/**
 * Stored relative to the program's directory (the provider's cwd), so a CI
 * checkout at another path does not look like a change.
 */
function normalisePath(
  field: string,
  value: string,
  kind: "directory" | "file",
  fail: (p: string, r: string) => void,
): string {
  const absolute = path.resolve(value);
  let info: ReturnType<typeof statSync> | undefined;
  try {
    info = statSync(absolute);
  } catch {
    info = undefined;
  }
  if (!info) fail(field, `${field} "${value}" does not exist (resolved to ${absolute})`);
  else if (kind === "directory" && !info.isDirectory())
    fail(field, `${field} "${value}" is not a directory`);
  else if (kind === "file" && !info.isFile()) fail(field, `${field} "${value}" is not a file`);
  const relative = path.relative(process.cwd(), absolute);
  const outside =
    relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outside ? absolute : relative || ".";
}

function checkMetadata(inputs: LambdaPackageInputs, fail: (p: string, r: string) => void): void {
  const metadata = inputs.metadata;
  if (metadata && typeof metadata === "object") {
    for (const name of Object.keys(metadata)) {
      if (RESERVED_METADATA.includes(name.toLowerCase())) {
        fail("metadata", `metadata "${name}" is set by LambdaPackage itself; pick another name`);
      }
    }
    const bytes = Object.entries(metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k + v), 0);
    if (bytes > 1800)
      fail("metadata", `metadata is ${bytes} bytes; S3 allows 2 KB in all, ~200 are ours`);
  }
  const tags = inputs.tags;
  if (tags && typeof tags === "object" && Object.keys(tags).length > 10) {
    fail("tags", `tags has ${Object.keys(tags).length} entries; S3 allows at most 10 per object`);
  }
}

function checkPackagerEnv(inputs: LambdaPackageInputs, fail: (p: string, r: string) => void): void {
  for (const name of Object.keys(inputs.packagerEnv ?? {})) {
    if (CREDENTIAL_NAME.test(name)) {
      fail(
        "packagerEnv",
        `packagerEnv ${show(name)} looks like a credential; inputs are stored in state in plain text. ` +
          `Export it in the environment of \`pulumi up\` instead (and see inheritCredentials in the packager docs)`,
      );
    }
  }
}
