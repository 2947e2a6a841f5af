/**
 * Registering a `LambdaPackage` (Pulumi's mocks): the program's stack traces
 * are left as they were, the SDK still finds the source position of the
 * line that made the resource, and an error thrown while registering names
 * that line.
 */
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, test } from "node:test";

void pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs as object }),
    call: (args) => args.inputs as Record<string, unknown>,
  },
  "lambda-package-test",
  "test",
  false,
);

// Loaded after setMocks, as Pulumi's mock docs require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LambdaPackage } = require("../../provider") as typeof import("../../provider");

const ARGS = { bucket: "bkt", key: "api.zip", sourcePath: "app", runtime: "copy" } as const;
const THIS_FILE = /resource\.test\.[jt]s:\d+:\d+/;

describe("LambdaPackage's registration", () => {
  test("leaves Error.stackTraceLimit as it was, and the SDK's source position still names the caller", () => {
    const resource = pulumi.Resource as unknown as { callsites(): { file?: string }[] };
    const callsites = resource.callsites.bind(resource);
    const seen: { file?: string }[][] = [];
    resource.callsites = () => {
      const sites = callsites();
      seen.push(sites);
      return sites;
    };
    try {
      const before = Error.stackTraceLimit;
      new LambdaPackage("api", ARGS);
      assert.equal(Error.stackTraceLimit, before);
    } finally {
      resource.callsites = callsites;
    }
    assert.ok(seen.length > 0, "the SDK took no source position");
    assert.ok(
      seen.every((sites) => sites.some((site) => site.file?.endsWith("resource.test.js"))),
      `frames seen: ${JSON.stringify(seen.map((sites) => sites.map((s) => s.file)))}`,
    );
  });

  test("an error thrown while registering has the stack of the line that made the resource", () => {
    const before = Error.stackTraceLimit;
    const error = (() => {
      try {
        new LambdaPackage("", ARGS);
      } catch (thrown) {
        return thrown as Error;
      }
      assert.fail("a resource without a name registered");
    })();
    assert.equal(Error.stackTraceLimit, before);
    assert.match(error.message, /name/);
    assert.match(error.stack ?? "", THIS_FILE);
  });

  test("takes one stack with frames as it is made, its source position's, not one per property", () => {
    const taken: number[] = [];
    const had = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
      taken.push(frames.length);
      return [
        error.message,
        ...frames.map((f) => `    at ${f.getFileName()}:${f.getLineNumber()}`),
      ].join("\n");
    };
    try {
      new LambdaPackage("counted", ARGS);
    } finally {
      if (had) Object.defineProperty(Error, "prepareStackTrace", had);
      else Reflect.deleteProperty(Error, "prepareStackTrace");
    }
    // Before, each of two dozen properties took four (the SDK's debuggable promises).
    const withFrames = taken.filter((n) => n > 0);
    assert.equal(withFrames.length, 1, `stacks with frames: ${withFrames.join(", ")}`);
  });
});
