export { createS3Client, describeTarget, type S3Settings } from "./client";
export { assertBucketReady } from "./bucket";
export { uploadArtifact, type UploadRequest, type UploadResult } from "./upload";
export {
  consoleUrl,
  deleteVersion,
  headLatest,
  headVersion,
  type LatestVersion,
  type StoredVersion,
} from "./object";
export { META_SHA256, META_SOURCE_CODE_HASH, META_SOURCE_KEY } from "./params";
