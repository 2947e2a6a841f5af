/** An upload interrupted by SIGINT or SIGTERM leaves no multipart upload open in the bucket. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { MiB, requestFor, writeArtifact } from "../../support/artifacts";
import { startFaultProxy } from "../../support/fault-proxy";
import { minioFixture } from "../../support/minio";
import { tempDir } from "../../support/tmp";

const minio = minioFixture({ ownServer: true });
const SCRIPT = path.join(__dirname, "..", "..", "support", "interruptible.js");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} during a multipart upload aborts it before the process ends`, async () => {
    const bucket = await minio.bucket();
    const dir = await tempDir("interrupt-upload");
    const artifact = await writeArtifact(dir, 40 * MiB, `interrupted-${signal}`);
    const request = requestFor(artifact, bucket, "fn/app.zip", {
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      concurrency: 1,
    });
    const requestFile = path.join(dir, "request.json");
    await writeFile(requestFile, JSON.stringify(request));
    const proxy = await startFaultProxy(minio.server.port);
    try {
      const child = spawn(process.execPath, [SCRIPT, "upload", requestFile, proxy.endpoint], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      // Interrupted in the middle of the parts, as a person or a CI runner would.
      proxy.setPlan({ onBytes: { atBytes: 12 * MiB, run: () => child.kill(signal) } });
      const [code, ended] = (await once(child, "exit")) as [number | null, string | null];
      assert.equal(ended, signal, `exit code ${code}; stderr: ${stderr}`);
      assert.ok(proxy.stats.bytesUp > 12 * MiB && proxy.stats.bytesUp < 40 * MiB);
      assert.deepEqual(await minio.openUploads(bucket), []);
      assert.deepEqual((await minio.versionsOf(bucket, "fn/app.zip")).versions, []);
    } finally {
      await proxy.close();
    }
  });
}
