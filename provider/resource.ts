import * as pulumi from "@pulumi/pulumi";
import type { LambdaPackageArgs } from "./args";
import { COMPUTED_OUTPUTS } from "./impl/outputs";
import { lambdaPackageProvider } from "./provider";

/**
 * One Lambda code package in S3: built from `sourcePath` by a packager and
 * uploaded as a new object version whenever `sourceKey` (or another input
 * that shapes the package) changes. Manages that object and nothing else.
 *
 * `pulumi import` does not work for dynamic resources; `pulumi refresh` notices
 * a version deleted out of band, and the next `pulumi up` uploads it again.
 */
export class LambdaPackage extends pulumi.dynamic.Resource {
  /** The bucket holding the object. */
  declare readonly bucket: pulumi.Output<string>;
  /** Object key; known in preview unless content-addressed. */
  declare readonly key: pulumi.Output<string>;
  /** S3 version of the uploaded zip: pin `aws.lambda.Function` `s3ObjectVersion` to it. */
  declare readonly versionId: pulumi.Output<string>;
  /** SHA-256 of the zip, hex. */
  declare readonly sha256: pulumi.Output<string>;
  /** Base64 SHA-256 of the zip: equal to Lambda's `CodeSha256` (`sourceCodeHash`). */
  declare readonly sourceCodeHash: pulumi.Output<string>;
  /** Zip size in bytes. */
  declare readonly size: pulumi.Output<number>;
  /** Sum of the unzipped file sizes in bytes. */
  declare readonly unzippedSize: pulumi.Output<number>;
  /** Files in the zip. */
  declare readonly fileCount: pulumi.Output<number>;
  /** The `sourceKey` the current version was built from. */
  declare readonly sourceKey: pulumi.Output<string>;
  /** AWS console page of the object. */
  declare readonly consoleUrl: pulumi.Output<string>;
  /** `s3://bucket/key`. */
  declare readonly s3Uri: pulumi.Output<string>;

  constructor(name: string, args: LambdaPackageArgs, opts?: pulumi.CustomResourceOptions) {
    // Output-only properties go in as undefined, so the engine treats them as
    // unknown in preview instead of missing (pulumi/pulumi#5174).
    const outputs = Object.fromEntries(COMPUTED_OUTPUTS.map((name) => [name, undefined]));
    super(
      lambdaPackageProvider,
      name,
      { key: undefined, ...outputs, ...args },
      opts,
      "lambda-package",
      "LambdaPackage",
    );
  }
}
