import type { S3Endpoint } from "../../scripts/minio";

/**
 * `LAMBDA_PACKAGE_TEST_S3_ENDPOINT=https://host:port` runs the tests against that
 * S3 API instead of a MinIO per file, with the credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and the region in AWS_REGION
 * (default us-east-1); the buckets the tests make there are deleted afterwards.
 */
export function externalS3(): S3Endpoint | undefined {
  const endpoint = process.env.LAMBDA_PACKAGE_TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) {
    throw new Error(
      `LAMBDA_PACKAGE_TEST_S3_ENDPOINT is ${endpoint}, but AWS_ACCESS_KEY_ID or ` +
        "AWS_SECRET_ACCESS_KEY is unset; export the endpoint's credentials too",
    );
  }
  return {
    endpoint,
    region: AWS_REGION || "us-east-1",
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN || undefined,
  };
}
