import { artifactsFixture, MiB } from "../../support/artifacts";
import { minioFixture } from "../../support/minio";

/**
 * Registers the hooks of an upload*.test.ts file: a store (MinIO, or the external
 * endpoint) and the artifacts `small` (one PUT) and `large` (three 5 MiB parts).
 */
export function uploadFixture() {
  const minio = minioFixture();
  const zips = artifactsFixture({ small: 300 * 1024, large: 12 * MiB + 12345 });
  return { minio, zips };
}
