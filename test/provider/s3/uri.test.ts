import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatS3Uri, parseS3Uri } from "../../../provider/s3";
import { LambdaPackageError } from "../../../shared/errors";

describe("parseS3Uri", () => {
  test("takes the bucket, the key as written and a trailing versionId", () => {
    assert.deepEqual(parseS3Uri("s3://artifacts/lambda/api.zip"), {
      bucket: "artifacts",
      key: "lambda/api.zip",
    });
    assert.deepEqual(parseS3Uri("s3://artifacts/a b/what?.zip?versionId=3/L4kqtJlcpXro"), {
      bucket: "artifacts",
      key: "a b/what?.zip",
      versionId: "3/L4kqtJlcpXro",
    });
  });

  test("round-trips through formatS3Uri", () => {
    for (const uri of ["s3://b/k.zip", "s3://b/dir/k.zip?versionId=null"]) {
      assert.equal(formatS3Uri(parseS3Uri(uri)), uri);
    }
  });

  test("anything else is BAD_S3_URI naming the text and the form expected", () => {
    for (const text of [
      "s3://bucket",
      "s3://bucket/",
      "https://b/k",
      "s3:///k",
      "s3://b/k?versionId=",
    ]) {
      assert.throws(
        () => parseS3Uri(text),
        (error: unknown) =>
          error instanceof LambdaPackageError &&
          error.code === "BAD_S3_URI" &&
          error.message.includes(`"${text}"`) &&
          error.message.includes("s3://<bucket>/<key>"),
        text,
      );
    }
  });
});
