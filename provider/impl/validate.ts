import type { LambdaPackageInputs } from "../args";
import { UNKNOWN } from "./unknown";

export interface Failure {
  property: string;
  reason: string;
}

type Inputs = Record<string, unknown>;
type Rule = (value: unknown, name: string) => string | undefined;

const isString: Rule = (v) => (typeof v === "string" ? undefined : `must be a string`);
const nonEmpty: Rule = (v) =>
  typeof v === "string" && v.trim() !== "" ? undefined : `must be a non-empty string`;
const isBoolean: Rule = (v) => (typeof v === "boolean" ? undefined : `must be true or false`);
const oneOf =
  (...allowed: string[]): Rule =>
  (v) =>
    allowed.includes(v as string)
      ? undefined
      : `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
const stringList: Rule = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string")
    ? undefined
    : `must be a list of strings`;
const stringMap: Rule = (v) =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === "string")
    ? undefined
    : `must be a map of string to string`;
const level: Rule = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 9
    ? undefined
    : `must be a whole number 0-9`;
const bucketName: Rule = (v) =>
  typeof v === "string" && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v)
    ? undefined
    : `must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens`;
const objectKey: Rule = (v) =>
  typeof v !== "string" || v === "" || v.startsWith("/") || Buffer.byteLength(v) > 1024
    ? `must be a non-empty key of at most 1024 bytes, without a leading "/"`
    : undefined;
const url: Rule = (v) => {
  try {
    return /^https?:$/.test(new URL(v as string).protocol) ? undefined : `must be an http(s) URL`;
  } catch {
    return `must be a URL such as "http://127.0.0.1:9000"`;
  }
};

/** One rule per input; keys not listed here are reported as unknown fields. */
export const RULES: Record<keyof LambdaPackageInputs, Rule[]> = {
  bucket: [bucketName],
  key: [objectKey],
  keyPrefix: [isString],
  version: [nonEmpty],
  versionFrom: [oneOf("pyproject.toml", "package.json")],
  sourcePath: [nonEmpty],
  runtime: [nonEmpty],
  packager: [nonEmpty],
  packagersDir: [nonEmpty],
  sourceKey: [nonEmpty],
  forceRepackage: [isString],
  exclude: [stringList],
  architecture: [oneOf("x86_64", "arm64")],
  layer: [isBoolean],
  pythonMode: [oneOf("requirements", "package")],
  compressionLevel: [level],
  packagerEnv: [stringMap],
  inheritCredentials: [isBoolean],
  metadata: [stringMap],
  tags: [stringMap],
  serverSideEncryption: [oneOf("AES256", "aws:kms")],
  kmsKeyId: [nonEmpty],
  immutable: [isBoolean],
  retainOnDelete: [isBoolean],
  region: [nonEmpty],
  profile: [nonEmpty],
  endpoint: [url],
  forcePathStyle: [isBoolean],
  checksums: [oneOf("when_supported", "when_required")],
};

/** Type and format checks of each known value; unknown (preview) values pass. */
export function checkFields(inputs: Inputs): Failure[] {
  const failures: Failure[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    if (value === undefined || value === null || value === UNKNOWN || name.startsWith("__"))
      continue;
    const rules = RULES[name as keyof LambdaPackageInputs];
    if (!rules) {
      failures.push({ property: name, reason: `${name} is not an input of LambdaPackage` });
      continue;
    }
    const problem = rules.map((rule) => rule(value, name)).find((p) => p !== undefined);
    if (problem)
      failures.push({ property: name, reason: `${name} ${problem}; got ${show(value)}` });
  }
  return failures;
}

export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
