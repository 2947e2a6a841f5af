/**
 * Automatic source keys through the provider and MinIO: a resource with no
 * `sourceKey` is repackaged exactly when something its last build read
 * changed, and the build cache hands a stack only what its own files build.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { commit, git, write } from "../../support/git";
import { minioFixture } from "../../support/minio";
import { createChecked, PROVIDER_FORMS, providerIn, type Provider } from "../../support/provider";
import { run } from "../../support/run";
import { capturingStderr } from "../../support/stderr";
import { download } from "../../support/s3";
import { tempDir } from "../../support/tmp";

const minio = minioFixture();

/** Two handlers, one importing from the other's directory and through a tsconfig path. */
async function monorepo(): Promise<string> {
  const root = await tempDir("auto-key");
  git(root, "init", "-q", "-b", "main");
  commit(root, {
    ".gitignore": "config.json\n",
    "tsconfig.json": JSON.stringify({
      compilerOptions: { baseUrl: ".", paths: { "@shared/*": ["shared/*"] } },
    }),
    "shared/greet.ts": "export const greet = (n: string) => `hi ${n}`;\n",
    "handlers/api/src/index.ts":
      'import { eligible } from "../../discount/src/eligibility";\n' +
      'import { greet } from "@shared/greet";\n' +
      "export const handler = async () => [eligible(1), greet('api')];\n",
    "handlers/discount/src/eligibility.ts": "export const eligible = (n: number) => n > 0;\n",
    "handlers/discount/src/index.ts": "export const handler = async () => 'discount';\n",
  });
  return root;
}

/** The text of `name` in the zip of an object version. */
async function fileIn(bucket: string, key: string, versionId: string, name: string) {
  const zip = path.join(await tempDir("auto-key-zip"), "fn.zip");
  await writeFile(zip, await download(minio.admin, bucket, key, versionId));
  return run("unzip", ["-p", zip, name]);
}

for (const form of PROVIDER_FORMS) {
  describe(`automatic source keys (${form}) against MinIO`, { timeout: 120_000 }, () => {
    let provider: Provider;
    let bucket: string;
    let base: Record<string, unknown>;

    before(async () => {
      provider = await providerIn(form);
      bucket = await minio.bucket();
      base = { bucket, endpoint: minio.server.endpoint, forcePathStyle: true };
    });

    /** The diff of `news` against the recorded outputs, as preview asks it. */
    const diff = async (outs: object, news: Record<string, unknown>) => {
      const checked = await provider.check(outs, news);
      return provider.diff("id", outs, checked.inputs);
    };
    const update = async (outs: object, news: Record<string, unknown>) => {
      const checked = await provider.check(outs, news);
      return (await provider.update("id", outs, checked.inputs)).outs;
    };

    test("a bundle is repackaged exactly when a file it imported, from anywhere, changes", async () => {
      const root = await monorepo();
      const news = {
        ...base,
        key: `${form}/api.zip`,
        sourcePath: path.join(root, "handlers/api"),
        runtime: "nodejs22.x",
        bundle: { entry: "src/index.ts", sourcemap: false },
      };
      const { outs } = await createChecked(provider, news);
      assert.match(outs.sourceKey, /^reads:[0-9a-f]{40}$/);
      const reads = (outs.sourceReads as string[]).map((p) => path.relative(root, p));
      assert.ok(reads.includes("handlers/discount/src/eligibility.ts"), reads.join(" "));
      assert.ok(
        reads.includes("shared/greet.ts") && reads.includes("tsconfig.json"),
        reads.join(" "),
      );
      assert.ok(!reads.includes("handlers/discount/src/index.ts"), "a file it never imported");

      assert.equal((await diff(outs, news)).changes, false, "nothing changed");
      commit(root, { "handlers/discount/src/index.ts": "export const handler = 2;\n" });
      assert.equal((await diff(outs, news)).changes, false, "a change it did not read");

      commit(root, {
        "handlers/discount/src/eligibility.ts": "export const eligible = () => 42;\n",
      });
      assert.equal((await diff(outs, news)).changes, true, "a sibling handler's file it imports");
      const second = await update(outs, news);
      assert.notEqual(second.versionId, outs.versionId);
      assert.match(await fileIn(bucket, second.key, second.versionId, "index.js"), /42/);
      assert.equal((await diff(second, news)).changes, false);

      write(root, { "shared/greet.ts": 'export const greet = () => "tsconfig paths target";\n' });
      assert.equal(
        (await diff(second, news)).changes,
        true,
        "a tsconfig paths target, uncommitted",
      );
    });

    test("a given key gets one warning naming each file read outside sourcePath", async () => {
      const root = await monorepo();
      const news = {
        ...base,
        key: `${form}/given/api.zip`,
        sourcePath: path.join(root, "handlers/api"),
        runtime: "nodejs22.x",
        bundle: { entry: "src/index.ts" },
        sourceKey: "commit-1",
      };
      const { value, text } = await capturingStderr(() => createChecked(provider, news));
      assert.equal(value.outs.sourceKey, "commit-1");
      assert.equal(value.outs.sourceReads, undefined, "a given key records no reads");
      const warnings = text.split("\n").filter((line) => line.includes("outside its sourcePath"));
      assert.equal(warnings.length, 1, text);
      assert.match(warnings[0], /handlers\/discount\/src\/eligibility\.ts/);
      assert.match(warnings[0], /shared\/greet\.ts/);
      assert.match(warnings[0], /a change there will not repackage it/);
    });

    test("two stacks of one commit with different ignored files each deploy their own, with or without a key", async () => {
      for (const sourceKey of [undefined, "commit-1"]) {
        const root = await monorepo();
        const fn = path.join(root, "handlers/discount");
        const stack = async (name: string, config: string) => {
          await writeFile(path.join(fn, "config.json"), config);
          const news = {
            ...base,
            key: `${form}/${sourceKey ?? "auto"}/${name}/discount.zip`,
            sourcePath: fn,
            runtime: "copy",
            buildCache: true,
            buildCachePrefix: `cache-${form}-${sourceKey ?? "auto"}`,
            ...(sourceKey && { sourceKey }),
          };
          const { outs } = await createChecked(provider, news);
          return { outs, config: await fileIn(bucket, outs.key, outs.versionId, "config.json") };
        };
        const staging = await stack("staging", '{"stage":"staging"}');
        const prod = await stack("prod", '{"stage":"prod","password":"p"}');
        assert.equal(staging.config, '{"stage":"staging"}');
        assert.equal(prod.config, '{"stage":"prod","password":"p"}', `sourceKey ${sourceKey}`);
        assert.notEqual(prod.outs.buildKey, staging.outs.buildKey);
        // A third stack with prod's files is what the cache is for.
        const again = await stack("prod-eu", '{"stage":"prod","password":"p"}');
        assert.equal(again.outs.buildKey, prod.outs.buildKey);
        assert.equal(again.outs.sha256, prod.outs.sha256);
      }
    });
  });
}
