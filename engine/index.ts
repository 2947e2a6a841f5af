/** The packaging engine: packagers → staged tree → reproducible zip. No Pulumi, no S3. */
export { build, type BuildResult } from "./build";
export {
  normalizeBuildOptions,
  PACKAGE_OPTIONS,
  ZIP_EPOCH,
  type Architecture,
  type BuildOptions,
  type BuildProgress,
  type PackageOptions,
  type PythonMode,
} from "./options";
export { BUNDLE_FIELDS, type BundleFormat, type BundleOptions } from "./bundle/options";
export { preflight, preflightProblems } from "./preflight";
export { listPackagers, packageRoot, resolvePackager } from "./packager";
export { DEFAULT_EXCLUDES } from "./stage/exclude";
export { MAX_UNZIPPED_BYTES } from "./stage/limits";
export { LambdaPackageError, type ErrorCode } from "../shared/errors";
