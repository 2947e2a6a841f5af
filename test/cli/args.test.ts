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
      message: `--entry is required (the handler's file, relative to sourcePath, e.g. "src/handler.ts"), or entries for several handlers with --minify`,
    });
  });

  test("a repeated --entry name=file sets entries, one bundle per name", () => {
    const { options } = build("--entry", "orders=src/orders.ts", "--entry", "users=src/users.ts");
    assert.deepEqual(options.bundle, {
      entries: { orders: "src/orders.ts", users: "src/users.ts" },
    });
  });

  test("--entry files without names, mixed forms, a name twice or a bad name are bad usage", () => {
    assert.throws(() => build("--entry", "src/a.ts", "--entry", "src/b.ts"), {
      message:
        '--entry takes one <file>, or name=<file> for each of several; got "src/a.ts", "src/b.ts"',
    });
    assert.throws(() => build("--entry", "a=src/a.ts", "--entry", "src/b.ts"), UsageError);
    assert.throws(() => build("--entry", "a=src/a.ts", "--entry", "a=src/b.ts"), {
      message: "--entry gives a twice",
    });
    assert.throws(() => build("--entry", "a=../a.ts"), {
      message: /^--entry must be a file inside sourcePath .*; got "a=\.\.\/a\.ts"$/,
    });
  });

  test("the usage lists the bundle flags with their defaults", () => {
    assert.match(USAGE, /--entry <\[name=\]file> +bundle with esbuild/);
    assert.match(USAGE, /--sourcemap +write index\.js\.map/);
    assert.match(USAGE, /--sources-content +put the sources' text/);
    assert.match(USAGE, /--format <cjs\|esm> .*\(default cjs\)/);
  });
});
