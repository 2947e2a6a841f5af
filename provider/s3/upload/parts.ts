import { createHash, type Hash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import {
  UploadPartCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { artifactChanged } from "./artifact";

export interface PartOptions {
  file: string;
  size: number;
  sha256: string;
  partSize: number;
  concurrency: number;
  log: (line: string) => void;
}

interface Target {
  Bucket: string;
  Key: string;
  UploadId: string;
  ChecksumAlgorithm?: ChecksumAlgorithm;
}

/**
 * Reads the file part by part into `concurrency` reused Buffers and uploads
 * each with UploadPart (Buffer bodies: the SDK retries them). The file is
 * hashed in order as it is read; a mismatch with `sha256` fails before the
 * last part is sent. On a failure no new part starts, the running ones
 * settle, and the first error is thrown.
 */
export async function uploadParts(
  client: S3Client,
  target: Target,
  options: PartOptions,
): Promise<CompletedPart[]> {
  const count = Math.max(1, Math.ceil(options.size / options.partSize));
  const completed: CompletedPart[] = [];
  const pool: Buffer[] = [];
  const running = new Set<Promise<void>>();
  const hash = createHash("sha256");
  const progress = progressLog(options, count);
  let failure: { error: unknown } | undefined;
  const handle = await open(options.file, "r");
  try {
    for (let number = 1; number <= count && !failure; number++) {
      if (running.size >= options.concurrency) await Promise.race(running);
      if (failure) break;
      const buffer = pool.pop() ?? Buffer.allocUnsafe(options.partSize);
      const offset = (number - 1) * options.partSize;
      const body = await readPart(
        handle,
        buffer,
        offset,
        Math.min(options.partSize, options.size - offset),
      );
      hash.update(body);
      if (number === count) verify(hash, options);
      const task = sendPart(client, target, number, body)
        .then((part) => {
          completed.push(part);
          progress(completed.length);
        })
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          pool.push(buffer);
          running.delete(task);
        });
      running.add(task);
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    await Promise.all(running);
    await handle.close();
  }
  if (failure) throw failure.error;
  return completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
}

async function readPart(handle: FileHandle, buffer: Buffer, position: number, length: number) {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break; // the file shrank; the hash check reports it
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function verify(hash: Hash, options: PartOptions): void {
  const sha256 = hash.digest("hex");
  if (sha256 !== options.sha256) {
    const expected = { size: options.size, sha256: options.sha256 };
    throw artifactChanged(options.file, expected, { size: options.size, sha256 });
  }
}

async function sendPart(client: S3Client, target: Target, PartNumber: number, Body: Buffer) {
  const output = await client.send(
    new UploadPartCommand({ ...target, PartNumber, Body, ContentLength: Body.length }),
  );
  if (!output.ETag)
    throw new Error(
      `UploadPart ${PartNumber} of s3://${target.Bucket}/${target.Key} returned no ETag`,
    );
  return { PartNumber, ETag: output.ETag, ChecksumSHA256: output.ChecksumSHA256 };
}

function progressLog(options: PartOptions, count: number): (done: number) => void {
  let reported = 0;
  return (done) => {
    const quarter = Math.floor((done / count) * 4);
    if (quarter > reported && quarter < 4) {
      reported = quarter;
      options.log(`uploaded ${done} of ${count} parts`);
    }
  };
}
