import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import requireFromString from "require-from-string";
import type { Provider } from "../support/provider";
import { tempDir } from "../support/tmp";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

/** The inputs Pulumi hands the mocks, with the fields the LambdaPackage mock reads. */
type MockInputs = Record<string, unknown> & { bucket?: string; key?: string };

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      const inputs = args.inputs as MockInputs;
      registered.push({ type: args.type, name: args.name, inputs });
      if (args.type === "pulumi-nodejs:dynamic/lambda-package:LambdaPackage") {
        const state = {
          ...inputs,
          key: inputs.key ?? "lambda/abc.zip",
          versionId: "v-123",
          sha256: "ab",
          sourceCodeHash: "qw==",
        };
        return { id: `s3://${inputs.bucket}/${state.key}`, state };
      }
      return { id: `${args.name}-id`, state: inputs };
    },
    call: (args) => args.inputs as Record<string, unknown>,
  },
  "lambda-package-test",
  "test",
  false,
);

// Loaded after setMocks, as Pulumi's mock docs require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LambdaCode } = require("../../component") as typeof import("../../component");

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe("LambdaCode", () => {
  let sourcePath: string;
  before(async () => {
    sourcePath = await tempDir("component");
    await mkdir(path.join(sourcePath, "app"));
    await writeFile(path.join(sourcePath, "app", "main.py"), "x = 1\n");
  });

  test("creates one LambdaPackage child named <name>-package with the given inputs", async () => {
    const code = new LambdaCode("api", {
      bucket: "bkt",
      key: "api.zip",
      sourcePath,
      runtime: "copy",
      sourceKey: "sha-1",
    });
    await valueOf(code.versionId);
    const child = registered.find((r) => r.name === "api-package");
    assert.ok(child, `registered: ${registered.map((r) => r.name).join(", ")}`);
    assert.equal(child.type, "pulumi-nodejs:dynamic/lambda-package:LambdaPackage");
    assert.equal(child.inputs.bucket, "bkt");
    assert.equal(child.inputs.sourceKey, "sha-1");
    assert.equal(child.inputs.runtime, "copy");
    assert.equal(typeof child.inputs.__provider, "string");
  });

  test("the serialized provider in the child's inputs loads and checks those inputs", async () => {
    const code = new LambdaCode("loads", {
      bucket: "bkt",
      key: "l.zip",
      sourcePath,
      runtime: "copy",
      sourceKey: "k",
    });
    await valueOf(code.versionId);
    const child = registered.find((r) => r.name === "loads-package")!;
    const loaded = requireFromString(child.inputs.__provider as string) as {
      handler: () => Provider;
    };
    const provider = loaded.handler();
    const { __provider, ...inputs } = child.inputs;
    void __provider;
    const checked = await provider.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    const diff = await provider.diff("id", checked.inputs, checked.inputs);
    assert.equal(diff.changes, false);
  });

  test("handler and sizeBudget reach the package, and the loaded provider checks them", async () => {
    const code = new LambdaCode("checked", {
      bucket: "bkt",
      key: "c.zip",
      sourcePath,
      runtime: "copy",
      sourceKey: "k",
      handler: "app/main.handler",
      sizeBudget: { zipped: "1 MiB" },
    });
    await valueOf(code.versionId);
    const child = registered.find((r) => r.name === "checked-package")!;
    assert.equal(child.inputs.handler, "app/main.handler");
    assert.deepEqual(child.inputs.sizeBudget, { zipped: "1 MiB" });
    const loaded = requireFromString(child.inputs.__provider as string) as {
      handler: () => Provider;
    };
    const { __provider, ...inputs } = child.inputs;
    void __provider;
    const wrong = await loaded.handler().check({}, { ...inputs, sizeBudget: { zipped: "big" } });
    assert.deepEqual(
      wrong.failures.map((f) => f.property),
      ["sizeBudget"],
    );
  });

  test("environment turns on Node's source maps when the bundle has a map, and is empty otherwise", async () => {
    const args = { bucket: "bkt", sourcePath, runtime: "nodejs22.x", sourceKey: "k" };
    const mapped = new LambdaCode("mapped", {
      ...args,
      bundle: { entry: "app/main.ts", sourcemap: true },
    });
    assert.deepEqual(await valueOf(mapped.environment), { NODE_OPTIONS: "--enable-source-maps" });
    const plain = new LambdaCode("plain", { ...args, bundle: { entry: "app/main.ts" } });
    assert.deepEqual(await valueOf(plain.environment), {});
    const copied = new LambdaCode("copied", { ...args, runtime: "copy" });
    assert.deepEqual(await valueOf(copied.environment), {});
  });

  test("an aws.lambda.Function given functionCode is pinned to the package's versionId", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
    const code = new LambdaCode("fn", {
      bucket: "bkt",
      key: "fn.zip",
      sourcePath,
      runtime: "copy",
      sourceKey: "k",
    });
    const fn = new aws.lambda.Function("fn", {
      ...code.functionCode,
      role: "arn:aws:iam::1:role/r",
      handler: "h",
      runtime: "python3.12",
    });
    assert.equal(await valueOf(fn.s3ObjectVersion), "v-123");
    assert.equal(await valueOf(fn.s3Bucket), "bkt");
    assert.equal(await valueOf(fn.s3Key), "fn.zip");
    const layer = new aws.lambda.LayerVersion("layer", { ...code.layerCode, layerName: "deps" });
    assert.equal(await valueOf(layer.s3ObjectVersion), "v-123");
  });

  test("exposes the package outputs on the component", async () => {
    const code = new LambdaCode("outs", {
      bucket: "bkt",
      sourcePath,
      runtime: "copy",
      sourceKey: "k",
    });
    assert.equal(await valueOf(code.bucket), "bkt");
    assert.equal(await valueOf(code.key), "lambda/abc.zip");
    assert.equal(await valueOf(code.sha256), "ab");
    assert.equal(await valueOf(code.sourceCodeHash), "qw==");
    assert.equal(code.package.constructor.name, "LambdaPackage");
  });
});

describe("LambdaPackage secrets in packagerEnv", () => {
  /** The secretPackagerEnv the resource registered for `packagerEnv`. */
  async function secretNamesFor(name: string, packagerEnv: unknown): Promise<unknown> {
    new LambdaCode(name, {
      bucket: "b-1",
      sourcePath: ".",
      runtime: "copy",
      sourceKey: "k",
      packagerEnv: packagerEnv as Record<string, pulumi.Input<string>>,
    });
    // Registration is asynchronous; wait until the child shows up.
    for (let i = 0; i < 100 && !registered.some((r) => r.name === `${name}-package`); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const names = registered.find((r) => r.name === `${name}-package`)?.inputs.secretPackagerEnv;
    // Derived from a secret, the list is a secret itself: mocks see its wire form.
    const wire = names as { [pulumi.runtime.specialSigKey]?: string; value?: unknown } | undefined;
    return wire?.[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
      ? wire.value
      : names;
  }

  test("the entries given as pulumi.secret are named, so the provider masks their values", async () => {
    const names = await secretNamesFor("masked", {
      INDEX_URL: pulumi.secret("https://user:hunter2@pypi.example/simple"),
      PLAIN: "visible",
      LATER: pulumi.output("not secret"),
    });
    assert.deepEqual(names, ["INDEX_URL"]);
  });

  test("a packagerEnv that is secret as a whole names every entry", async () => {
    const names = await secretNamesFor("all-masked", pulumi.secret({ A: "1", B: "2" }));
    assert.deepEqual(names, ["A", "B"]);
  });
});
