import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, test, type TestContext } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import {
  EMPTY_ZIP,
  packageRoot,
  packagerEnvironment,
  runPackager,
  type PackagerDirs,
  type RunPackagerOptions,
} from "../../../engine/packager";
import { tempDir } from "./fixtures";

const SECRETS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SESSION_TOKEN: "session",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token",
  AWS_SHARED_CREDENTIALS_FILE: "/home/me/.aws/credentials",
  NPM_TOKEN: "npm_x",
  GITHUB_TOKEN: "ghp_x",
  GH_TOKEN: "ghp_y",
  PULUMI_ACCESS_TOKEN: "pul-x",
  PULUMI_CONFIG_PASSPHRASE: "hunter2",
  DB_PASSWORD: "pw",
  STRIPE_API_KEY: "sk_x",
  CLIENT_SECRET: "cs",
  npm_config__authToken: "tok",
  GOOGLE_APPLICATION_CREDENTIALS: "/keys/sa.json",
};

const KEPT: Record<string, string> = {
  AWS_REGION: "eu-west-1",
  AWS_PROFILE: "dev",
  PIP_INDEX_URL: "https://example.invalid/simple",
  SSH_AUTH_SOCK: "/tmp/agent.sock",
  TOKENIZERS_PARALLELISM: "false",
  KEYBOARD_LAYOUT: "us",
};

const BASE: RunPackagerOptions = {
  script: "/bin/true",
  runtime: "python3.12",
  sourcePath: "/src",
  workDir: "/work",
};
const DIRS: PackagerDirs = {
  buildDir: "/work/build",
  packageZip: "/work/package.zip",
  sourceManifest: "/work/source.manifest",
};

describe("packagerEnvironment", () => {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const [name, value] of Object.entries({ ...SECRETS, ...KEPT })) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test("drops credential-like variables and keeps the rest of the parent's", () => {
    const env = packagerEnvironment(BASE, DIRS);
    for (const name of Object.keys(SECRETS)) assert.equal(env[name], undefined, name);
    for (const [name, value] of Object.entries(KEPT)) assert.equal(env[name], value, name);
    assert.equal(env.PATH, process.env.PATH);
  });

  test("keeps credential-like variables when inheritCredentials is set", () => {
    const env = packagerEnvironment({ ...BASE, inheritCredentials: true }, DIRS);
    for (const [name, value] of Object.entries(SECRETS)) assert.equal(env[name], value, name);
  });

  test("passes explicit env values even when they look like credentials", () => {
    const env = packagerEnvironment(
      { ...BASE, packagerEnv: { NPM_TOKEN: "given", EXCLUDE_TESTS: "1" } },
      DIRS,
    );
    assert.equal(env.NPM_TOKEN, "given");
    assert.equal(env.EXCLUDE_TESTS, "1");
    assert.equal(env.GITHUB_TOKEN, undefined);
  });

  test("refuses env values that would override a contract variable, naming the option", () => {
    assert.throws(
      () => packagerEnvironment({ ...BASE, packagerEnv: { ARCHITECTURE: "arm64" } }, DIRS),
      (e: unknown) =>
        e instanceof LambdaPackageError &&
        e.code === "ENV_RESERVED" &&
        e.message.includes("packagerEnv.ARCHITECTURE") &&
        e.message.includes("architecture option"),
    );
    assert.throws(
      () => packagerEnvironment({ ...BASE, packagerEnv: { BUILD_DIR: "/elsewhere" } }, DIRS),
      (e: unknown) => e instanceof LambdaPackageError && e.code === "ENV_RESERVED",
    );
  });

  test("contract defaults: Lambda's x86_64, not a layer, requirements mode, no groups or extras", () => {
    const env = packagerEnvironment(BASE, DIRS);
    assert.equal(env.ARCHITECTURE, "x86_64");
    assert.equal(env.LAYER, "0");
    assert.equal(env.PYTHON_MODE, "requirements");
    assert.equal(env.PYTHON_GROUPS, "");
    assert.equal(env.PYTHON_EXTRAS, "");
    assert.equal(env.NODE_BINARY, process.execPath);
  });
});

async function dumpEnvironment(t: TestContext, options: Partial<RunPackagerOptions>) {
  const dir = await tempDir(t);
  const script = path.join(dir, "dump-env");
  await mkdir(path.join(dir, "work"));
  const sourcePath = path.join(dir, "src");
  await mkdir(sourcePath);
  // The packager records what it sees, including $PACKAGE_ZIP's bytes.
  const body = 'env -0 >"$BUILD_DIR/env"\ncp "$PACKAGE_ZIP" "$BUILD_DIR/seen.zip"\n';
  await writeFile(script, `#!/usr/bin/env bash\nset -euo pipefail\n${body}`, { mode: 0o755 });
  const { buildDir, packageZip } = await runPackager({
    script,
    runtime: "nodejs22.x",
    sourcePath,
    workDir: path.join(dir, "work"),
    ...options,
  });
  const raw = await readFile(path.join(buildDir, "env"), "utf8");
  const env = Object.fromEntries(
    raw
      .split("\0")
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  return { env, sourcePath, buildDir, packageZip };
}

test("a real packager sees exactly the contract variables", async (t) => {
  const { env, sourcePath, buildDir, packageZip } = await dumpEnvironment(t, {
    architecture: "arm64",
    layer: true,
    pythonMode: "package",
    pythonGroups: ["dev", "monitoring"],
    pythonExtras: ["postgres"],
  });
  assert.equal(env.RUNTIME, "nodejs22.x");
  assert.equal(env.SOURCE_PATH, sourcePath);
  assert.equal(env.PACKAGE_ZIP, packageZip);
  assert.equal(env.TF_PATH, packageRoot);
  assert.equal(env.BUILD_DIR, buildDir);
  assert.equal(env.ARCHITECTURE, "arm64");
  assert.equal(env.LAYER, "1");
  assert.equal(env.PYTHON_MODE, "package");
  assert.equal(env.PYTHON_GROUPS, "dev monitoring");
  assert.equal(env.PYTHON_EXTRAS, "postgres");
  assert.equal(env.NODE_BINARY, process.execPath);
  assert.equal(env.PWD, sourcePath);
  assert.deepEqual(await readFile(path.join(buildDir, "seen.zip")), EMPTY_ZIP);
});

test("a real packager does not see the parent's AWS secret unless credentials are inherited", async (t) => {
  const before = process.env.AWS_SECRET_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = "do-not-leak";
  t.after(() => {
    if (before === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = before;
  });
  assert.equal((await dumpEnvironment(t, {})).env.AWS_SECRET_ACCESS_KEY, undefined);
  const inherited = await dumpEnvironment(t, { inheritCredentials: true });
  assert.equal(inherited.env.AWS_SECRET_ACCESS_KEY, "do-not-leak");
});
