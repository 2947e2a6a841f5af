/**
 * A process to interrupt, for the tests of what SIGINT and SIGTERM leave
 * behind. `node interruptible.js build <sourcePath> <packager>` builds with
 * that packager; `node interruptible.js bundle <sourcePath>` bundles its
 * src/handler.ts with the nodejs22.x packager (in this process);
 * `node interruptible.js upload <request.json> <endpoint>`
 * uploads. It prints "started" once the work is under way.
 */
import { readFileSync } from "node:fs";
import { build } from "../../engine/build";
import { createS3Client, uploadArtifact, type UploadRequest } from "../../provider/s3";

async function main([mode, first, second]: string[]): Promise<void> {
  if (mode === "build") {
    const done = build({ sourcePath: first, packager: second });
    process.stdout.write("started\n");
    await done;
  } else if (mode === "bundle") {
    const done = build({
      sourcePath: first,
      runtime: "nodejs22.x",
      bundle: { entry: "src/handler.ts" },
    });
    process.stdout.write("started\n");
    await done;
  } else if (mode === "upload") {
    const request = JSON.parse(readFileSync(first, "utf8")) as UploadRequest;
    const client = createS3Client({ endpoint: second, maxAttempts: 1 });
    process.stdout.write("started\n");
    await uploadArtifact(client, request);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.stdout.write("finished\n"),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  },
);
