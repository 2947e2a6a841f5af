/**
 * The MinIO test harness (library) and its CLI.
 *
 * Library: `startMinio()` starts a throwaway server for a test or benchmark;
 * `createVersionedBucket`, `minioClient`, ... work against it.
 *
 * CLI: `node dist/scripts/minio.js start | stop | env | bucket <name>` (via
 * `npm run -s minio -- …`) manages one background server for a shell; its
 * state lives in `LAMBDA_PACKAGE_MINIO_DIR` (default `.tools/minio`).
 */
export {
  defaultBinary,
  freePort,
  isLive,
  MINIO_ACCESS_KEY,
  MINIO_SECRET_KEY,
  minioArgs,
  minioEnv,
  repoRoot,
  startMinio,
  waitForMinio,
  type MinioServer,
  type StartMinioOptions,
} from "./minio/server";
export {
  createBucket,
  createVersionedBucket,
  deleteBucket,
  ensureVersionedBucket,
  minioClient,
  type S3Endpoint,
} from "./minio/buckets";
import { runCli } from "./minio/cli";

if (require.main === module) void runCli(process.argv.slice(2));
