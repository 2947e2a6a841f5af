/**
 * Which files the audit opens, decided from what the walk already knows (the
 * name and the executable bit), so that a tree of 16,000 JavaScript files
 * costs no read at all; and which native files are alternates for another
 * platform that the package never loads on Lambda.
 */
import path from "node:path";
import type { Architecture } from "../options";

/**
 * Names native code goes by: shared objects (`.so`, `libfoo.so.1.2`), Node
 * addons, Python extensions on Windows, macOS libraries and bundles, Windows
 * binaries. Executables without a suffix (`bootstrap`, a Go or Rust binary)
 * are found by their executable bit.
 */
const NATIVE_NAME = /\.(so(\.\d+)*|node|pyd|dylib|bundle|dll|exe)$/i;

/** Whether the audit reads a file's first bytes to see whether it is native code. */
export function isCandidate(name: string, executable: boolean): boolean {
  // `bootstrap` is what a custom runtime execs; one copied without its mode bit still counts.
  return executable || NATIVE_NAME.test(name) || path.posix.basename(name) === "bootstrap";
}

/** Node's names for Lambda's architectures, as prebuild directories spell them. */
const NODE_ARCH: Readonly<Record<Architecture, string>> = { x86_64: "x64", arm64: "arm64" };

/** `prebuilds/<platform>-<arch>[+<arch>…]/`, the layout of prebuildify and node-gyp-build. */
const PREBUILD_DIR = /(?:^|\/)prebuilds\/([a-z0-9]+)-([a-z0-9+]+)\/[^/]+$/i;

/**
 * Why a file is a prebuilt alternate that the package does not load on
 * Lambda, or undefined when it is not one. Packages built with prebuildify
 * ship `prebuilds/darwin-x64+arm64/…`, `prebuilds/win32-x64/…` and
 * `prebuilds/linux-x64/node.napi.musl.node` beside the Linux glibc build, and
 * node-gyp-build picks the one for the platform it runs on; flagging the
 * others would fail every package that uses them.
 */
export function platformAlternate(name: string, architecture: Architecture): string | undefined {
  const match = PREBUILD_DIR.exec(name);
  if (!match) return undefined;
  const [, platform, arches] = match;
  if (platform !== "linux" || !arches.split("+").includes(NODE_ARCH[architecture])) {
    return `a prebuild for ${platform}-${arches}`;
  }
  // node-gyp-build's tags are the dot-separated parts of the name: `node.napi.musl.node`.
  if (path.posix.basename(name).split(".").includes("musl")) return "a musl prebuild";
  return undefined;
}
