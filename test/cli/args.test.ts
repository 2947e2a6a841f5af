import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCli, USAGE, UsageError } from "../../cli/args";

const build = (...flags: string[]) => {
  const request = parseCli(["build", "src", "-r", "nodejs22.x", ...flags]);
  if (request.command !== "build") throw new Error(`parsed as ${request.command}`);
  return request;
};

describe("parseCli", () => {
  test("an unknown flag names the close one it likely meant", () => {
    assert.throws(
      () => build("--packagers", "./packagers"),
      (error: Error) =>
        error instanceof UsageError &&
        /unknown option --packagers; did you mean .*--packagers-dir\?/.test(error.message),
    );
    assert.throws(
      () => build("--minfy"),
      (error: Error) =>
        error instanceof UsageError && /did you mean --minify\?/.test(error.message),
    );
  });

  test("an unknown flag with nothing close says to see --help", () => {
    assert.throws(
      () => build("--zzzzzzzz"),
      (error: Error) =>
        error instanceof UsageError &&
        /Unknown option '--zzzzzzzz'.*See --help/.test(error.message) &&
        !/did you mean/.test(error.message),
    );
  });

  test("the bundle flags set the fields of bundle", () => {
    const { options } = build(
      "--entry",
      "src/handler.ts",
      "--format",
      "esm",
      "--external",
      "@aws-sdk/*",
      "--external",
      "pg-native",
      "--node-module",
      "sharp",
      "--minify",
      "--no-sourcemap",
      "--define",
      'process.env.STAGE="prod"',
    );
    assert.deepEqual(options.bundle, {
      entry: "src/handler.ts",
      format: "esm",
      externals: ["@aws-sdk/*", "pg-native"],
      nodeModules: ["sharp"],
      minify: true,
      sourcemap: false,
      define: { "process.env.STAGE": '"prod"' },
    });
  });

  test("no bundle flag, no bundle", () => {
    assert.equal(build().options.bundle, undefined);
  });

  test("a bad field value names its flag and the value", () => {
    assert.throws(() => build("--entry", "a.ts", "--format", "umd"), {
      name: "Error",
      message: '--format must be one of "cjs", "esm"; got "umd"',
    });
    assert.throws(() => build("--entry", "a.ts", "--format", "umd"), UsageError);
  });

  test("a bundle flag without --entry says --entry is needed with it", () => {
    assert.throws(() => build("--minify"), {
      message: `--entry is required (the handler's file, relative to sourcePath, e.g. "src/handler.ts") with --minify`,
    });
  });

  test("the usage lists the bundle flags, the on-by-default one with its --no- form", () => {
    assert.match(USAGE, /--entry <file> +bundle with esbuild/);
    assert.match(USAGE, /--sourcemap .*\(default on; --no-sourcemap for off\)/);
    assert.match(USAGE, /--format <cjs\|esm> .*\(default cjs\)/);
  });
});
