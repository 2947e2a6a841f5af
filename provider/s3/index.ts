export { assertBucketReady } from "./bucket";
export { createS3Client } from "./client";
export { withS3Client } from "./clients";
export {
  bucketName,
  CHECKSUM_MODES,
  describeTarget,
  endpointUrl,
  resolveEndpoint,
  resolveRegion,
  type S3Settings,
} from "./settings";
export { copyVersion, type CopyRequest } from "./copy";
export {
  META_BUILD_KEY,
  META_SHA256,
  META_SOURCE_CODE_HASH,
  META_SOURCE_KEY,
  objectHeaders,
  SERVER_SIDE_ENCRYPTION,
  type HeaderRequest,
  type ServerSideEncryption,
} from "./headers";
export {
  consoleUrl,
  deleteVersion,
  hashVersion,
  headLatest,
  headVersion,
  readSmallObject,
  writeSmallObject,
  type LatestVersion,
  type StoredVersion,
} from "./object";
export { openS3Source } from "./ranged";
export { uploadArtifact, type UploadRequest, type UploadResult } from "./upload";
export { formatS3Uri, parseS3Uri, type ObjectRef } from "./uri";
