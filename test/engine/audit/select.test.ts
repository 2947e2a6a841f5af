import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isCandidate, platformAlternate } from "../../../engine/audit/select";

describe("which files the audit opens", () => {
  test("native-looking names are opened whatever their mode", () => {
    for (const name of [
      "numpy/core/_multiarray_umath.cpython-312-x86_64-linux-gnu.so",
      "numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so",
      "lib/libssl.so.3",
      "lib/libz.so.1.2.13",
      "node_modules/sharp/build/Release/sharp.node",
      "lib/_speedups.pyd",
      "lib/libffi.dylib",
      "bin/tool.EXE",
      "bin/helper.dll",
      "bootstrap",
    ]) {
      assert.equal(isCandidate(name, false), true, name);
    }
  });

  test("any executable is opened: Go and Rust binaries have no suffix", () => {
    assert.equal(isCandidate("bin/server", true), true);
  });

  test("other files are never opened, so a JavaScript tree costs no reads", () => {
    for (const name of ["index.js", "lib/so.txt", "README.md", "pkg/node.json", "a.song"]) {
      assert.equal(isCandidate(name, false), false, name);
    }
  });
});

describe("prebuilds for other platforms", () => {
  test("a prebuild for macOS, Windows or the other architecture is an alternate", () => {
    const cases: [string, string][] = [
      ["node_modules/bufferutil/prebuilds/darwin-x64+arm64/bufferutil.node", "darwin-x64+arm64"],
      ["node_modules/bufferutil/prebuilds/win32-x64/bufferutil.node", "win32-x64"],
      ["node_modules/bufferutil/prebuilds/linux-arm64/bufferutil.node", "linux-arm64"],
    ];
    for (const [name, platform] of cases) {
      assert.equal(platformAlternate(name, "x86_64"), `a prebuild for ${platform}`);
    }
  });

  test("a musl-tagged prebuild beside the glibc one is an alternate", () => {
    const name = "node_modules/classic-level/prebuilds/linux-x64/node.napi.musl.node";
    assert.equal(platformAlternate(name, "x86_64"), "a musl prebuild");
  });

  test("the prebuild for the target, and files outside prebuilds/, are audited", () => {
    const glibc = "node_modules/classic-level/prebuilds/linux-x64/node.napi.glibc.node";
    assert.equal(platformAlternate(glibc, "x86_64"), undefined);
    assert.equal(platformAlternate(glibc.replace("x64", "arm64"), "arm64"), undefined);
    assert.equal(platformAlternate("node_modules/fsevents/fsevents.node", "x86_64"), undefined);
  });
});
