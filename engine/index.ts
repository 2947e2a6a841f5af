/** The packaging engine: packagers → staged tree → reproducible zip. No Pulumi, no S3. */
export { build, type BuildResult } from "./build";
export {
  auditFiles,
  auditPath,
  auditTarget,
  LAMBDA_RUNTIMES,
  type AuditFinding,
  type AuditReport,
  type AuditTarget,
} from "./audit";
export {
  normalizeBuildOptions,
  PACKAGE_OPTIONS,
  ZIP_EPOCH,
  type Architecture,
  type BuildOptions,
  type BuildProgress,
  type NativeCheck,
  type PackageOptions,
  type PythonMode,
} from "./options";
export { buildIdentity } from "./identity";
export { gitSourceKey, gitSourceKeys, type GitSourceKeyOptions } from "./git";
export {
  diffListings,
  isSameListing,
  openFileSource,
  readCentralDirectory,
  TAIL_BYTES,
  type ChangedEntry,
  type ChangeReason,
  type ListedEntry,
  type ListingDiff,
  type RangedSource,
  type ZipListing,
} from "./listing";
export { BUNDLE_FIELDS, type BundleFormat, type BundleOptions } from "./bundle/options";
export { preflight, preflightProblems } from "./preflight";
export { listPackagers, packageRoot, resolvePackager } from "./packager";
export { DEFAULT_EXCLUDES } from "./stage/exclude";
export { MAX_UNZIPPED_BYTES } from "./stage/limits";
export {
  contentsLines,
  groupChanges,
  zipContents,
  type ContentGroup,
  type GroupChange,
  type GroupKind,
  type PackageContents,
} from "./contents";
export { parseSize, type SizeBudget } from "./contents/budget";
export { checkHandler, parseHandler, type HandlerLanguage } from "./handler";
export { LambdaPackageError, type ErrorCode } from "../shared/errors";
