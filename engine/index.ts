/** The packaging engine: packagers → staged tree → reproducible zip. No Pulumi, no S3. */
export { build, ZIP_EPOCH } from "./build";
export { LambdaPackageError } from "./errors";
export { listPackagers, packageRoot, resolvePackager } from "./packager";
export { DEFAULT_EXCLUDES } from "./stage/exclude";
export { MAX_UNZIPPED_BYTES } from "./stage/limits";
export type * from "./types";
