/**
 * The root Pulumi program (Pulumi.yaml): packages the two example functions
 * and uploads them to a versioned bucket. By default it targets whatever S3
 * the environment points at (the demo's local MinIO); with `deployFunctions`
 * it also defines the Lambda functions, pinned to the uploaded versions.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { gitSourceKey, LambdaCode } from "../index";

const config = new pulumi.Config();
const bucket = config.require("bucket");
// Pulumi runs a program whose `main` is in a subdirectory from that directory
// (dist/examples), so paths are taken from the repository root, not the cwd.
const root = path.resolve(__dirname, "..", "..");

/** A function's sourceKey: the git tree of its directory, unless config "sourceKey" pins one. */
function sourceKey(dir: string): string {
  return config.get("sourceKey") ?? gitSourceKey(dir, { cwd: root });
}

const python = new LambdaCode("hello-python", {
  bucket,
  // A fixed key: every upload is a new version of it, and preview shows the key.
  key: "examples/hello-python.zip",
  sourcePath: path.join(root, "examples/python-hello"),
  runtime: "python3.12",
  sourceKey: sourceKey("examples/python-hello"),
});

const node = new LambdaCode("hello-node", {
  bucket,
  // Content-addressed: <keyPrefix>/<sha256>.zip, known once packaged.
  keyPrefix: "examples/hello-node",
  sourcePath: path.join(root, "examples/node-hello"),
  runtime: "nodejs22.x",
  sourceKey: sourceKey("examples/node-hello"),
});

if (config.getBoolean("deployFunctions")) {
  // Loaded only when asked: the local demo registers no AWS resources, so the
  // aws provider plugin is never needed offline.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { deployFunctions } = require("./functions") as typeof import("./functions");
  deployFunctions({ python: python.functionCode, node: node.functionCode });
}

export const pythonCode = {
  bucket: python.bucket,
  key: python.key,
  versionId: python.versionId,
  sha256: python.sha256,
};
export const nodeCode = {
  bucket: node.bucket,
  key: node.key,
  versionId: node.versionId,
  sha256: node.sha256,
};
