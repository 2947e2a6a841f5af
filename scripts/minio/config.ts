import { existsSync } from "node:fs";
import path from "node:path";

/** Fixed loopback-only credentials: the server never listens beyond 127.0.0.1. */
export const MINIO_ACCESS_KEY = "lambda-package";
export const MINIO_SECRET_KEY = "lambda-package-secret";
export const MINIO_REGION = "us-east-1";
// A built-in KMS key, so SSE-S3 (AES256) and SSE-KMS requests work as on AWS.
const KMS_KEY = "minio-test-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/** Repository root: the directory holding package.json above this file (src or dist). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export function defaultBinary(): string {
  return path.join(repoRoot(), ".tools", "bin", "minio");
}

/** `http://127.0.0.1:PORT` */
export function endpointOf(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Environment MinIO runs with: quiet, offline, no console UI. */
export function minioEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MINIO_ROOT_USER: MINIO_ACCESS_KEY,
    MINIO_ROOT_PASSWORD: MINIO_SECRET_KEY,
    MINIO_BROWSER: "off",
    MINIO_UPDATE: "off",
    MINIO_CI_CD: "1",
    MINIO_KMS_SECRET_KEY: KMS_KEY,
  };
}

/** `minio server` arguments for a data dir and ports. */
export function minioArgs(dataDir: string, port: number, consolePort: number): string[] {
  return [
    "server",
    dataDir,
    "--address",
    `127.0.0.1:${port}`,
    "--console-address",
    `127.0.0.1:${consolePort}`,
    "--quiet",
  ];
}
