import type * as pulumi from "@pulumi/pulumi";
import type { PackageOptions } from "../engine/options";
import type { ServerSideEncryption } from "./s3/headers";
import type { CHECKSUM_MODES } from "./s3/settings";

/** A plain value as a Pulumi input, arrays and maps of inputs included. */
type InputOf<T> = [T] extends [readonly (infer E)[]]
  ? pulumi.Input<pulumi.Input<E>[]>
  : [T] extends [Readonly<Record<string, infer V>>]
    ? pulumi.Input<Record<string, pulumi.Input<V>>>
    : pulumi.Input<T>;

/**
 * The engine's package options as Pulumi inputs. Each is documented once, in
 * `PackageOptions` (engine/options.ts), and keeps that doc here.
 */
export type PackageInputs = {
  -readonly [K in keyof PackageOptions]: InputOf<NonNullable<PackageOptions[K]>>;
};

/** Arguments of a `LambdaPackage`: where the code is, how to package it, where it goes. */
export interface LambdaPackageArgs extends PackageInputs {
  /** Name of an existing S3 bucket with versioning Enabled. Changing it replaces the object. */
  bucket: pulumi.Input<string>;
  /**
   * Object key of the zip, e.g. `functions/api.zip`. Give either `key`, or `version` (with
   * `keyPrefix`), or neither for a content-addressed key `<keyPrefix>/<sha256>.zip`.
   * Changing it replaces the object.
   * @default `<keyPrefix>/<sha256 of the zip>.zip`
   */
  key?: pulumi.Input<string>;
  /**
   * Prefix of computed keys, without a trailing slash, e.g. `team/lambda`.
   * @default "lambda"
   */
  keyPrefix?: pulumi.Input<string>;
  /**
   * Semantic version (checked with `semver`), giving the key
   * `<keyPrefix>/source/<version>/source.zip`, the Python seed library's layout.
   * @default none: the key comes from `key`, or from the zip's content
   */
  version?: pulumi.Input<string>;
  /**
   * Read `version` from the source's project file: `pyproject.toml` (`[project] version`) or
   * `package.json` (`version`).
   * @default none
   */
  versionFrom?: pulumi.Input<"pyproject.toml" | "package.json">;
  /**
   * What the diff is about: repackage and upload when it changes; any printable ASCII string,
   * e.g. `gitSourceKey(["services/api"])`. Left out, the key is automatic: preview compares
   * what the last build read (the source, files it imports from elsewhere, the lockfile and
   * settings; recorded as `sourceReads`) with the files as they are now, and repackages
   * exactly when something in it changed.
   * @default automatic: the key of what the last build read
   */
  sourceKey?: pulumi.Input<string>;
  /**
   * Any change of this value repackages, like `terraform taint`.
   * @default none
   */
  forceRepackage?: pulumi.Input<string>;
  /**
   * Names of `packagerEnv` entries whose values are secrets: shown as `***` wherever the
   * packager's output is relayed (the `pulumi up` log, error messages).
   * @default the entries given as `pulumi.secret(…)` (or all, when the whole map is secret)
   */
  secretPackagerEnv?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * User metadata on the object (`x-amz-meta-*`), printable ASCII, 2 KB in all with ours;
   * `sha256`, `source-key` and `source-code-hash` are ours.
   * @default {}
   */
  metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Object tags, at most 10, written atomically with the object.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Server-side encryption, `"AES256"` or `"aws:kms"`.
   * @default the bucket's default encryption
   */
  serverSideEncryption?: pulumi.Input<ServerSideEncryption>;
  /**
   * KMS key id or ARN for `serverSideEncryption: "aws:kms"`.
   * @default the account's `aws/s3` key
   */
  kmsKeyId?: pulumi.Input<string>;
  /**
   * Never overwrite a key that holds other content (`If-None-Match: *`). An identical object is
   * adopted; immutable objects are never deleted by Pulumi.
   * @default false
   */
  immutable?: pulumi.Input<boolean>;
  /**
   * Leave the object version in S3 when the resource is deleted.
   * @default false
   */
  retainOnDelete?: pulumi.Input<boolean>;
  /**
   * Share builds through the bucket: before packaging, look for a package with the same build key
   * under `buildCachePrefix` and copy it in the store instead of building; after a build, leave a
   * copy there for the next stack or CI runner. See "Build cache" in README.
   * @default false
   */
  buildCache?: pulumi.Input<boolean>;
  /**
   * Where the build cache's entries are: a key prefix in `bucket`, e.g. `lambda-package-cache`,
   * or `s3://other-bucket/prefix` for a cache bucket shared by stacks that deploy to several.
   * @default "lambda-package-cache"
   */
  buildCachePrefix?: pulumi.Input<string>;
  /**
   * AWS region of the bucket, e.g. `eu-west-1`.
   * @default stack config `aws:region`, then `AWS_REGION`
   */
  region?: pulumi.Input<string>;
  /**
   * Named AWS profile for the ambient credential chain.
   * @default stack config `aws:profile`, then `AWS_PROFILE`
   */
  profile?: pulumi.Input<string>;
  /**
   * Endpoint URL of an S3-compatible store (MinIO, R2, ...), e.g. `http://127.0.0.1:9000`.
   * @default `AWS_ENDPOINT_URL_S3`, else AWS
   */
  endpoint?: pulumi.Input<string>;
  /**
   * Path-style addressing (`endpoint/bucket/key`).
   * @default true when `endpoint` is set, else false
   */
  forcePathStyle?: pulumi.Input<boolean>;
  /**
   * `"when_required"` turns off the SDK's default CRC32 checksums for stores that reject them.
   * @default "when_supported"
   */
  checksums?: pulumi.Input<(typeof CHECKSUM_MODES)[number]>;
}

/** `LambdaPackageArgs` with every value resolved: what the provider receives. */
export type LambdaPackageInputs = {
  [K in keyof LambdaPackageArgs]: pulumi.Unwrap<LambdaPackageArgs[K]>;
};
