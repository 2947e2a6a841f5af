/**
 * stopEsbuild: esbuild's service is gone, reaped, when it returns, so a
 * packager that exits right after leaves nothing of its process group behind
 * (which the engine would report as processes left running).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as esbuild from "esbuild";
import { childPids, esbuildChildren, stopEsbuild } from "../../../engine/bundle/stop";

test("when stopEsbuild returns, esbuild's service process has exited and been reaped", async () => {
  for (let round = 0; round < 3; round++) {
    await esbuild.build({ stdin: { contents: "export const a = 1;" }, write: false });
    const service = esbuildChildren();
    assert.equal(service.length, 1, "the build started one service");
    await stopEsbuild();
    const left = childPids();
    assert.ok(!left.includes(service[0]), `service ${service[0]} is among ${left.join(" ")}`);
  }
});
