import * as pulumi from "@pulumi/pulumi";
import type { LambdaPackageArgs } from "../provider/args";
import { LambdaPackage } from "../provider/resource";

/** Arguments of `LambdaCode`: exactly those of `LambdaPackage` (see there for each field). */
export type LambdaCodeArgs = LambdaPackageArgs;

/**
 * The S3 code location Lambda takes, pinned to one object version. A plain
 * object of Outputs rather than an Output of an object, so it can be spread
 * into `aws.lambda.Function` / `aws.lambda.LayerVersion` args.
 */
export interface S3Code {
  readonly s3Bucket: pulumi.Output<string>;
  readonly s3Key: pulumi.Output<string>;
  readonly s3ObjectVersion: pulumi.Output<string>;
}

/**
 * Lambda code in S3 for `aws.lambda.Function` and `aws.lambda.LayerVersion`:
 * packages `sourcePath`, uploads it as a new version when `sourceKey` changes,
 * and hands out the location pinned to that version, so a function updates
 * exactly when new code is uploaded.
 *
 * ```ts
 * const code = new LambdaCode("api", { bucket, sourcePath: "./api", runtime: "python3.12", sourceKey: gitSha });
 * new aws.lambda.Function("api", { ...code.functionCode, role, handler: "app.handler", runtime: "python3.12" });
 * ```
 */
export class LambdaCode extends pulumi.ComponentResource {
  /** The S3 object resource itself, for users who want only the object. */
  readonly package: LambdaPackage;
  readonly bucket: pulumi.Output<string>;
  readonly key: pulumi.Output<string>;
  /** The object version Lambda should run. */
  readonly versionId: pulumi.Output<string>;
  /** Base64 SHA-256 of the zip, equal to Lambda's `CodeSha256`. */
  readonly sourceCodeHash: pulumi.Output<string>;
  /** SHA-256 of the zip, hex. */
  readonly sha256: pulumi.Output<string>;
  /** `{ s3Bucket, s3Key, s3ObjectVersion }`: spread into `aws.lambda.Function` args. */
  readonly functionCode: S3Code;
  /** `{ s3Bucket, s3Key, s3ObjectVersion }` for `aws.lambda.LayerVersion` (use with `layer: true`). */
  readonly layerCode: S3Code;
  /**
   * Environment variables the function needs for what the package holds, for
   * `environment: { variables: code.environment }` (merge your own in with `pulumi.all`):
   * `{ NODE_OPTIONS: "--enable-source-maps" }` when `bundle.sourcemap` is true, so that Node
   * reads the map and stack traces name the `.ts` lines; otherwise `{}`.
   */
  readonly environment: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: LambdaCodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambda-package:index:LambdaCode", name, {}, opts);
    this.package = new LambdaPackage(`${name}-package`, args, { parent: this });
    this.bucket = this.package.bucket;
    this.key = this.package.key;
    this.versionId = this.package.versionId;
    this.sourceCodeHash = this.package.sourceCodeHash;
    this.sha256 = this.package.sha256;
    this.functionCode = {
      s3Bucket: this.bucket,
      s3Key: this.key,
      s3ObjectVersion: this.versionId,
    };
    // Lambda takes the same three fields for layers; a separate name keeps call sites clear.
    this.layerCode = this.functionCode;
    // A map Node does not read does nothing for stack traces; the variable comes with it.
    this.environment = pulumi
      .output(args.bundle)
      .apply((bundle): Record<string, string> =>
        bundle?.sourcemap === true ? { NODE_OPTIONS: "--enable-source-maps" } : {},
      );
    // Only the version: the package's own outputs are its child's state already, and
    // registering them again would double every function's share of the state.
    this.registerOutputs({ versionId: this.versionId });
  }
}
