/**
 * The field table: for every input of `LambdaPackage`, the rule its value must
 * pass, what a change of it does (its diff class) and its default. Check,
 * diff, the build and README's behaviour table all read this table; the
 * compiler rejects an input of `LambdaPackageArgs` without a row. Each input's
 * doc is its JSDoc in `LambdaPackageArgs` (or `PackageOptions`), which a test
 * holds to this table's defaults.
 */
import { PACKAGE_OPTIONS, type OptionSpec } from "../engine/options";
import {
  isBoolean,
  isString,
  nonEmpty,
  oneOf,
  stringList,
  stringMap,
  type FieldRule,
  type Rule,
} from "../shared/rules";
import type { LambdaPackageInputs } from "./args";
import { SERVER_SIDE_ENCRYPTION } from "./s3/headers";
import { bucketName, CHECKSUM_MODES, endpointUrl } from "./s3/settings";

/**
 * What a change of an input does:
 * - `replace`: it moves the object (bucket, or what computes the key): upload the new object,
 *   then delete the old version;
 * - `repackage`: it may change the package: package; a new version when the bytes changed;
 * - `rewrite`: it changes what the object carries (metadata, tags, encryption) but not its bytes:
 *   a new version copied from the current one in the store, nothing packaged;
 * - `settings`: it changes only how we talk to S3 or delete: the state is updated, nothing runs.
 */
export type DiffClass = "replace" | "repackage" | "rewrite" | "settings";

/** What each diff class means for a plan, as README's behaviour table says it. */
export const DIFF_CLASSES = {
  repackage: {
    plan: "update",
    runs: "package; a new version under the same key only when the bytes changed",
  },
  rewrite: {
    plan: "update",
    runs: "a server-side copy of the current version with the new headers",
  },
  settings: { plan: "update", runs: "state only" },
  replace: { plan: "replace", runs: "upload the new object, then delete the old version" },
} as const satisfies Record<DiffClass, { plan: string; runs: string }>;

export interface FieldSpec {
  readonly diff: DiffClass;
  readonly rule: Rule;
  /** The value in effect when the input is left out, where there is one value. */
  readonly default?: unknown;
  /** For inputs that must be given: what to give, for the error. */
  readonly required?: string;
  /** A path, stored relative to the program's directory so checkouts elsewhere are no change. */
  readonly path?: "directory" | "file";
  /** For an object input: the rule and default of each field, which README lists too. */
  readonly fields?: Readonly<Record<string, FieldRule>>;
}

/**
 * A package option of the engine as an input: its rule and default, and the
 * diff class that follows from whether it shapes the package.
 */
function packaging<K extends keyof typeof PACKAGE_OPTIONS>(
  name: K,
  extra: Partial<FieldSpec> = {},
): Omit<(typeof PACKAGE_OPTIONS)[K], "cli" | "shapes"> & FieldSpec {
  const { cli: _flag, shapes, ...spec } = PACKAGE_OPTIONS[name] as OptionSpec;
  const diff: DiffClass = shapes ? "repackage" : "settings";
  return { ...(spec as Omit<(typeof PACKAGE_OPTIONS)[K], "cli" | "shapes">), diff, ...extra };
}

const objectKey: Rule = (v) =>
  typeof v !== "string" || v === "" || v.startsWith("/") || Buffer.byteLength(v) > 1024
    ? `must be a non-empty key of at most 1024 bytes, without a leading "/"`
    : undefined;

// S3 keys have no leading "/" (a store writes "/lam/x" as "lam/x", so the
// state and the store would disagree) and no empty parts.
const keyPrefix: Rule = (v) =>
  typeof v !== "string" || v.startsWith("/") || v.includes("//") || Buffer.byteLength(v) > 512
    ? `must be a key prefix such as "team/lambda": no leading "/", no "//", at most 512 bytes`
    : undefined;

// A key prefix in the bucket, or s3://bucket/prefix for a cache bucket of its own.
const cachePrefix: Rule = (v) => {
  if (typeof v !== "string" || v === "") return `must be a key prefix or "s3://bucket/prefix"`;
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(v);
  if (!match) return keyPrefix(v);
  const wrongBucket = bucketName(match[1]);
  return wrongBucket
    ? `names a bucket that ${wrongBucket.replace(/^is /, "is ")}`
    : keyPrefix(match[2]);
};

export const FIELDS = {
  // Where the object is.
  bucket: {
    diff: "replace",
    rule: bucketName,
    required: "the name of an existing bucket with versioning Enabled",
  },
  key: { diff: "replace", rule: objectKey },
  keyPrefix: { diff: "replace", rule: keyPrefix, default: "lambda" },
  version: { diff: "replace", rule: nonEmpty },
  versionFrom: { diff: "replace", rule: oneOf("pyproject.toml", "package.json") },

  // What is packaged, and how.
  sourcePath: packaging("sourcePath", {
    path: "directory",
    required: "the directory holding the function's code",
  }),
  runtime: packaging("runtime"),
  packager: packaging("packager", { path: "file" }),
  packagersDir: packaging("packagersDir", { path: "directory" }),
  // Left out, the key is automatic: what the last build read (operations/source-key.ts).
  sourceKey: { diff: "repackage", rule: nonEmpty },
  forceRepackage: { diff: "repackage", rule: isString },
  exclude: packaging("exclude"),
  architecture: packaging("architecture"),
  layer: packaging("layer"),
  pythonMode: packaging("pythonMode"),
  bundle: packaging("bundle"),
  pythonGroups: packaging("pythonGroups"),
  pythonExtras: packaging("pythonExtras"),
  compressionLevel: packaging("compressionLevel"),
  packagerEnv: packaging("packagerEnv"),
  inheritCredentials: packaging("inheritCredentials"),
  packagerTimeout: packaging("packagerTimeout"),
  // The audit passes or stops a build but never changes its bytes (the option
  // table says so); a stricter setting takes effect at the next repackage.
  nativeCheck: packaging("nativeCheck"),
  // Checks of the package like nativeCheck: a change takes effect at the next repackage.
  handler: packaging("handler"),
  sizeBudget: packaging("sizeBudget"),
  // What the packager's log hides does not change what it makes.
  secretPackagerEnv: { diff: "settings", rule: stringList },

  // What the object carries: a change writes a new version, copied in the store.
  metadata: { diff: "rewrite", rule: stringMap, default: {} },
  tags: { diff: "rewrite", rule: stringMap, default: {} },
  serverSideEncryption: { diff: "rewrite", rule: oneOf(...SERVER_SIDE_ENCRYPTION) },
  kmsKeyId: { diff: "rewrite", rule: nonEmpty },
  // Whether the key may be overwritten; it changes how the next version is written.
  immutable: { diff: "settings", rule: isBoolean, default: false },

  // How we reach the store. Another region or endpoint is another store: the
  // object moves there, and the version in the old store is deleted.
  region: { diff: "replace", rule: nonEmpty },
  endpoint: { diff: "replace", rule: endpointUrl },
  retainOnDelete: { diff: "settings", rule: isBoolean, default: false },
  // The cache decides where a package comes from, never what it holds.
  buildCache: { diff: "settings", rule: isBoolean, default: false },
  buildCachePrefix: { diff: "settings", rule: cachePrefix, default: "lambda-package-cache" },
  profile: { diff: "settings", rule: nonEmpty },
  forcePathStyle: { diff: "settings", rule: isBoolean },
  checksums: { diff: "settings", rule: oneOf(...CHECKSUM_MODES), default: "when_supported" },
} as const satisfies { readonly [K in keyof LambdaPackageInputs]-?: FieldSpec };

export type Field = keyof typeof FIELDS;

/** The inputs of one diff class, in table order. */
export function fieldsOf(diff: DiffClass): Field[] {
  return (Object.keys(FIELDS) as Field[]).filter((name) => FIELDS[name].diff === diff);
}

/** The inputs that are options of the engine's build, passed to it as they are. */
export const BUILD_FIELDS = Object.keys(PACKAGE_OPTIONS) as (keyof typeof PACKAGE_OPTIONS)[];
