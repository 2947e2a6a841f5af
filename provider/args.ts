import type * as pulumi from "@pulumi/pulumi";
import type { Architecture, PythonMode } from "../engine/types";

/** Arguments of a `LambdaPackage`: where the code is, how to package it, where it goes. */
export interface LambdaPackageArgs {
  /** Name of an existing S3 bucket with versioning Enabled. Changing it replaces the object. */
  bucket: pulumi.Input<string>;
  /**
   * Object key of the zip, e.g. `functions/api.zip`. Give either `key`, or `version` (with
   * `keyPrefix`), or neither for a content-addressed key `<keyPrefix>/<sha256>.zip`.
   * Changing it replaces the object.
   * @default `<keyPrefix>/<sha256 of the zip>.zip`
   */
  key?: pulumi.Input<string>;
  /** Prefix of computed keys, without a trailing slash. @default "lambda" */
  keyPrefix?: pulumi.Input<string>;
  /**
   * Semantic version (checked with `semver`), giving the key `<keyPrefix>/source/<version>/source.zip`,
   * the Python seed library's layout.
   */
  version?: pulumi.Input<string>;
  /** Read `version` from the source's project file: `pyproject.toml` ([project].version) or `package.json`. */
  versionFrom?: pulumi.Input<"pyproject.toml" | "package.json">;
  /** Directory holding the function's code; relative paths are resolved from the Pulumi project. */
  sourcePath: pulumi.Input<string>;
  /** Packager to run, named after the Lambda runtime: `python3.12`, `nodejs22.x`, `generic`, `copy`, ... */
  runtime?: pulumi.Input<string>;
  /** Path of your own packager script; overrides the lookup by `runtime`. */
  packager?: pulumi.Input<string>;
  /** Directory of your own packagers, searched for `runtime` before the built-in ones. */
  packagersDir?: pulumi.Input<string>;
  /**
   * What the diff is about: repackage and upload when it changes. A git commit SHA of the
   * source is the usual choice; any string works.
   */
  sourceKey: pulumi.Input<string>;
  /** Any change of this value repackages, like `terraform taint`. @default undefined */
  forceRepackage?: pulumi.Input<string>;
  /** Gitignore-style patterns left out of the zip. `.git`, `.DS_Store`, `node_modules/.cache` always are. */
  exclude?: pulumi.Input<pulumi.Input<string>[]>;
  /** Target architecture; python packagers then install Lambda-compatible wheels. @default none */
  architecture?: pulumi.Input<Architecture>;
  /** Lay files out as a Lambda layer (`python/`, `nodejs/node_modules/`). @default false */
  layer?: pulumi.Input<boolean>;
  /** Python: install `requirements.txt` (`"requirements"`) or the project itself with `--no-deps` (`"package"`). @default "requirements" */
  pythonMode?: pulumi.Input<PythonMode>;
  /** Deflate level 0-9. @default 9 */
  compressionLevel?: pulumi.Input<number>;
  /** Extra, non-secret environment variables for the packager (they are stored in state). */
  packagerEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Pass credential-like variables of `pulumi up`'s environment (tokens, AWS keys, passwords) to
   * the packager, e.g. NPM_TOKEN for a private registry. @default false
   */
  inheritCredentials?: pulumi.Input<boolean>;
  /** User metadata on the object (`x-amz-meta-*`); `sha256` and `source-key` are ours. */
  metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Object tags, at most 10, written atomically with the object. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Server-side encryption. @default the bucket's default */
  serverSideEncryption?: pulumi.Input<"AES256" | "aws:kms">;
  /** KMS key for `serverSideEncryption: "aws:kms"`. */
  kmsKeyId?: pulumi.Input<string>;
  /**
   * Never overwrite a key that holds other content (`If-None-Match: *`). An identical object is
   * adopted; immutable objects are never deleted by Pulumi. @default false
   */
  immutable?: pulumi.Input<boolean>;
  /** Leave the object version in S3 when the resource is deleted. @default false */
  retainOnDelete?: pulumi.Input<boolean>;
  /** AWS region of the bucket. @default stack config `aws:region`, then AWS_REGION */
  region?: pulumi.Input<string>;
  /** Named AWS profile for the ambient credential chain. @default stack config `aws:profile`, then AWS_PROFILE */
  profile?: pulumi.Input<string>;
  /** Endpoint of an S3-compatible store (MinIO, R2, ...). @default AWS_ENDPOINT_URL_S3, else AWS */
  endpoint?: pulumi.Input<string>;
  /** Path-style addressing. @default true when `endpoint` is set */
  forcePathStyle?: pulumi.Input<boolean>;
  /** `"when_required"` turns off the SDK's default CRC32 checksums for stores that reject them. @default "when_supported" */
  checksums?: pulumi.Input<"when_supported" | "when_required">;
}

/** `LambdaPackageArgs` with every value resolved: what the provider receives. */
export type LambdaPackageInputs = {
  [K in keyof LambdaPackageArgs]: pulumi.Unwrap<LambdaPackageArgs[K]>;
};
