import type { LambdaPackageInputs } from "./args";

/** How the object key is chosen. */
export type Layout = "key" | "version" | "content";

/**
 * The outputs of a `LambdaPackage` that users read: declared once here; the
 * resource's properties are derived from this interface.
 */
export interface PackageOutputs {
  /** The bucket holding the object. */
  bucket: string;
  /** Object key; known in preview unless content-addressed. */
  key: string;
  /** S3 version of the uploaded zip: pin `aws.lambda.Function` `s3ObjectVersion` to it. */
  versionId: string;
  /** SHA-256 of the zip, hex. */
  sha256: string;
  /** Base64 SHA-256 of the zip: equal to Lambda's `CodeSha256` (`sourceCodeHash`). */
  sourceCodeHash: string;
  /** Zip size in bytes. */
  size: number;
  /** Sum of the unzipped file sizes in bytes. */
  unzippedSize: number;
  /** Files in the zip. */
  fileCount: number;
  /**
   * The key the current version was built from: the `sourceKey` given, or the automatic key
   * `reads:<40 hex>` of what its build read (`sourceReads`).
   */
  sourceKey: string;
  /**
   * AWS console page of the object; in a store at another `endpoint`, the object's path-style URL
   * there (e.g. `http://127.0.0.1:9000/bucket/fn/api.zip`).
   */
  consoleUrl: string;
  /** `s3://bucket/key`. */
  s3Uri: string;
  /**
   * SHA-256 (hex) of everything that shaped the package: the `sourceKey`, the packaging inputs,
   * the packager's files and the zip format; the build cache's key, also in the object's
   * `build-key` metadata.
   */
  buildKey: string;
  /**
   * The CycloneDX document (JSON) listing every third-party package the zip holds: its own
   * object version at `<key>.cdx.json`. None for versions stored before SBOMs were written, or
   * taken from a build cache entry that has none.
   */
  sbom?: { key: string; versionId: string };
}

/** What the provider records besides: needed by later operations, not for users. */
interface RecordedOutputs {
  /** How the key was chosen when the version was uploaded. */
  layout: Layout;
  /** Region the object was written in: refresh, update and delete go there. */
  storeRegion: string;
  /** Endpoint the object was written to ("" for AWS's own): refresh, update and delete go there. */
  storeEndpoint: string;
  /**
   * With an automatic key: the files and directories the build read, stored as paths are
   * (relative to the program's directory inside its work tree), which preview keys on.
   */
  sourceReads?: string[];
}

/** Everything the provider records: the inputs it diffs on, echoed, and what the upload gave. */
export interface LambdaPackageOutputs
  extends Omit<LambdaPackageInputs, keyof PackageOutputs>, PackageOutputs, RecordedOutputs {}

type Computed = Exclude<keyof LambdaPackageOutputs, keyof LambdaPackageInputs>;

/** Outputs that are not inputs: only an upload knows them, so preview shows them as unknown. */
export const COMPUTED_OUTPUTS = [
  "versionId",
  "sha256",
  "sourceCodeHash",
  "size",
  "unzippedSize",
  "fileCount",
  "consoleUrl",
  "s3Uri",
  "buildKey",
  "sbom",
  "layout",
  "storeRegion",
  "storeEndpoint",
  "sourceReads",
] as const satisfies readonly Computed[];

// The list above names every computed output: the compiler fails here otherwise.
type Unlisted = Exclude<Computed, (typeof COMPUTED_OUTPUTS)[number]>;
const everyComputedOutputListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyComputedOutputListed;
