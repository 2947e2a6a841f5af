/** The scene of bench/upload.ts: bucket, artifact, the two upload commands and their environment. */
import { createCipheriv, createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import type { UploadRequest } from "../provider/s3";
import { createVersionedBucket, type MinioServer } from "../scripts/minio";
import type { Options } from "./upload-args";

const MiB = 1024 * 1024;
const BUCKET = "bench";

/** Writes `size` deterministic pseudo-random bytes (AES-256-CTR of zeros); returns their SHA-256. */
async function makeArtifact(file: string, size: number): Promise<Buffer> {
  const key = createHash("sha256").update("bench-upload").digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const hash = createHash("sha256");
  const out = createWriteStream(file);
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < size; written += MiB) {
    const chunk = cipher.update(zeros.subarray(0, Math.min(MiB, size - written)));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return hash.digest();
}

/** Deletes every version of `key`, so runs do not fill the disk. */
export async function purge(admin: S3Client, key: string): Promise<void> {
  const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
  for (const { VersionId } of listed.Versions ?? []) {
    await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId }));
  }
}

function storeEnv(server: MinioServer, dir: string): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    // Both tools at their defaults: no user config or profile leaks in.
    AWS_CONFIG_FILE: path.join(dir, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws-credentials"),
  };
}

/**
 * Creates the bucket, the artifact and an empty AWS config in `dir`; returns the
 * environment both tools run in, our command (`script --child request`) and the CLI's.
 */
export async function prepare(options: Options, server: MinioServer, dir: string, script: string) {
  await createVersionedBucket(server, BUCKET);
  await writeFile(path.join(dir, "aws-config"), "");
  await writeFile(path.join(dir, "aws-credentials"), "");
  const file = path.join(dir, "artifact.zip");
  const size = options.sizeMb * MiB;
  const digest = await makeArtifact(file, size);
  const env = storeEnv(server, dir);
  const request: UploadRequest = {
    bucket: BUCKET,
    key: "ours.zip",
    file,
    size,
    sha256: digest.toString("hex"),
    sourceCodeHash: digest.toString("base64"),
    sourceKey: "bench",
    partSize: options.partSizeMb * MiB,
    concurrency: options.concurrency,
  };
  const ours = [process.execPath, script, "--child", JSON.stringify(request)];
  const cli = ["aws", "--endpoint-url", server.endpoint, "s3", "cp", file];
  cli.push(`s3://${BUCKET}/awscli.zip`, "--only-show-errors");
  return { env, ours, cli };
}
