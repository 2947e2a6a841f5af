import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import requireFromString from "require-from-string";
import * as lambdaPackageProvider from "../../provider/provider";

export type Provider = typeof lambdaPackageProvider;

/**
 * The provider as the Pulumi engine runs it: serialized by Pulumi's closure
 * serializer, then loaded from the text the way the dynamic-provider host does.
 */
export async function serializedProvider(): Promise<{ provider: Provider; text: string }> {
  const serialized = await pulumi.runtime.serializeFunction(() => lambdaPackageProvider, {
    allowSecrets: true,
  });
  const loaded = requireFromString(serialized.text) as { handler: () => Provider };
  return { provider: loaded.handler(), text: serialized.text };
}

/** Both forms, so each behaviour is proven on the object and on what the engine loads. */
export const PROVIDER_FORMS = ["direct", "serialized"] as const;

/** The provider in one of its forms. */
export async function providerIn(form: (typeof PROVIDER_FORMS)[number]): Promise<Provider> {
  return form === "direct" ? lambdaPackageProvider : (await serializedProvider()).provider;
}

/** `create` of the inputs `check` makes of `news`; the test fails if `check` finds a fault. */
export async function createChecked(provider: Provider, news: Record<string, unknown>) {
  const checked = await provider.check({}, news);
  assert.deepEqual(checked.failures, []);
  return provider.create(checked.inputs);
}

/** A packager that counts its runs in a file, then copies the source. */
export async function countingPackager(
  dir: string,
): Promise<{ script: string; runs: () => Promise<number>; env: Record<string, string> }> {
  const script = path.join(dir, "counting-packager");
  const countFile = path.join(dir, "runs.txt");
  await writeFile(countFile, "");
  await writeFile(
    script,
    // It also prints $INDEX_URL, as a careless build script might print a secret.
    '#!/usr/bin/env bash\nset -euo pipefail\necho run >>"$COUNT_FILE"\necho "index: ${INDEX_URL:-none}"\ncp -R "$SOURCE_PATH/." "$BUILD_DIR/"\n',
  );
  await chmod(script, 0o755);
  const runs = async () => (await readFile(countFile, "utf8")).split("\n").filter(Boolean).length;
  return { script, runs, env: { COUNT_FILE: countFile } };
}
