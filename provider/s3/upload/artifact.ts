import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { LambdaPackageError } from "../../../shared/errors";

interface Fingerprint {
  size: number;
  sha256: string;
}

/** The zip on disk is not the one the request describes. */
export function artifactChanged(
  file: string,
  expected: Fingerprint,
  actual: Fingerprint,
): LambdaPackageError {
  return new LambdaPackageError(
    "ARTIFACT_CHANGED",
    `file ${file} is ${actual.size} bytes with sha256 ${actual.sha256}, but the upload was asked ` +
      `for ${expected.size} bytes with sha256 ${expected.sha256}: it changed after packaging. ` +
      `Nothing was stored; run again.`,
  );
}

/** Checks the zip exists with the expected size: cheap, before any request. */
export async function assertFileSize(file: string, expected: Fingerprint): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw unreadable(file, error);
  }
  if (size !== expected.size)
    throw artifactChanged(file, expected, { size, sha256: "(not computed)" });
}

function unreadable(file: string, error: unknown): LambdaPackageError {
  return new LambdaPackageError(
    "ARTIFACT_MISSING",
    `file ${file} cannot be read for upload (${(error as Error).message}); package it again.`,
    { cause: error },
  );
}

/** Reads the whole zip (small ones only) and checks it against its size and sha256. */
export async function readVerified(file: string, expected: Fingerprint): Promise<Buffer> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  const sha256 = createHash("sha256").update(body).digest("hex");
  if (body.length !== expected.size || sha256 !== expected.sha256) {
    throw artifactChanged(file, expected, { size: body.length, sha256 });
  }
  return body;
}
