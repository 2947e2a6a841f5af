import { createCipheriv, createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { before } from "node:test";
import { ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import type { UploadRequest } from "../../provider/s3";
import { tempDir } from "./tmp";

export const MiB = 1024 * 1024;

/** A zip-to-be on disk with the fingerprints an upload request carries. */
export interface Artifact {
  file: string;
  size: number;
  sha256: string;
  sourceCodeHash: string;
  bytes: Buffer;
}

/** Deterministic pseudo-random bytes: AES-256-CTR of zeros, keyed by `seed`. */
export function pseudoRandomBytes(size: number, seed: string): Buffer {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** Writes `size` bytes derived from `seed` into `dir`. */
export async function writeArtifact(dir: string, size: number, seed: string): Promise<Artifact> {
  const bytes = pseudoRandomBytes(size, seed);
  const file = path.join(dir, `${seed}.zip`);
  await writeFile(file, bytes);
  return {
    file,
    size,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    sourceCodeHash: createHash("sha256").update(bytes).digest("base64"),
    bytes,
  };
}

/** Artifacts by name, and the temporary directory holding them (for writing more). */
export type ArtifactSet<Name extends string> = Readonly<Record<Name, Artifact>> & {
  readonly dir: string;
};

/**
 * Registers `before`/`after` hooks that write one artifact per entry of `sizes`
 * (name: size in bytes; the name seeds the bytes) into a temporary directory,
 * removed when the test process exits. Read the artifacts inside tests, once `before` ran.
 */
export function artifactsFixture<Name extends Exclude<string, "dir">>(
  sizes: Record<Name, number>,
): ArtifactSet<Name> {
  const set: Record<string, Artifact | string> = {};
  before(async () => {
    const dir = await tempDir("artifacts");
    set.dir = dir;
    for (const [name, size] of Object.entries<number>(sizes)) {
      set[name] = await writeArtifact(dir, size, name);
    }
  });
  return set as ArtifactSet<Name>;
}

/** An upload request for `artifact` at `bucket`/`key`. */
export function requestFor(
  artifact: Artifact,
  bucket: string,
  key: string,
  extra: Partial<UploadRequest> = {},
): UploadRequest {
  const { file, size, sha256, sourceCodeHash } = artifact;
  return { bucket, key, file, size, sha256, sourceCodeHash, sourceKey: "commit-abc123", ...extra };
}

/** Multipart uploads still open in the bucket. */
export async function openUploads(admin: S3Client, bucket: string) {
  const out = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return out.Uploads ?? [];
}

/** Counts the HTTP attempts a client sends (retries included), from inside its middleware stack. */
export function countAttempts(client: S3Client): { readonly count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.count += 1;
      return next(args);
    },
    // The deserialize step sits inside the retry loop, so it sees every attempt.
    { step: "deserialize", name: "countAttempts" },
  );
  return counter;
}

/** Collects log lines of an upload, for assertions and failure messages. */
export function logLines(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}
