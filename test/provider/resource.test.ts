import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, test } from "node:test";

void pulumi.runtime.setMocks(
  {
    newResource: (args) => ({
      id: `${args.name}-id`,
      state: args.inputs as Record<string, unknown>,
    }),
    call: (args) => args.inputs as Record<string, unknown>,
  },
  "lambda-package-test",
  "test",
  false,
);

type ResourceModule = typeof import("../../provider/resource");
// Loaded after setMocks, as Pulumi's mock docs require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LambdaPackage } = require("../../provider/resource") as ResourceModule;

const ARGS = { bucket: "b", key: "k.zip", sourcePath: ".", runtime: "python3.12" } as const;

/** The number of frames of each stack formatted while `run` runs. */
function stacksTaken(run: () => void): number[] {
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
    run();
  } finally {
    if (had) Object.defineProperty(Error, "prepareStackTrace", had);
    else Reflect.deleteProperty(Error, "prepareStackTrace");
  }
  return taken;
}

describe("LambdaPackage", () => {
  test("takes one stack with frames as it is made, its source position's, not one per property", () => {
    const withFrames = stacksTaken(() => new LambdaPackage("fn", ARGS)).filter((n) => n > 0);
    // Before, each of two dozen properties took four (pulumi's debuggable promises).
    assert.equal(withFrames.length, 1, `stacks with frames: ${withFrames.join(", ")}`);
    assert.equal(Error.stackTraceLimit, 10);
  });

  test("leaves Error.stackTraceLimit as it found it, also when the SDK throws", () => {
    Error.stackTraceLimit = 25;
    try {
      new LambdaPackage("fn", ARGS);
      assert.equal(Error.stackTraceLimit, 25);
      assert.throws(() => new LambdaPackage("", ARGS), /Missing resource name/);
      assert.equal(Error.stackTraceLimit, 25);
    } finally {
      Error.stackTraceLimit = 10;
    }
  });
});
