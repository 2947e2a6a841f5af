/**
 * What a no-op `pulumi up` costs the provider: `check` + `diff` of unchanged
 * inputs, on the object and on the serialized form the engine loads. No
 * packager runs and no file is hashed, so this is microseconds, whatever the
 * size of the source tree.
 *
 *   node dist/bench/diff.js [--iterations 2000] [--json FILE]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";
import * as lambdaPackageProvider from "../provider/provider";

type Provider = typeof lambdaPackageProvider;

async function serialized(): Promise<Provider> {
  const { text } = await pulumi.runtime.serializeFunction(() => lambdaPackageProvider, {
    allowSecrets: true,
  });
  return (requireFromString(text) as { handler: () => Provider }).handler();
}

/** Median microseconds of one check + diff of unchanged inputs. */
async function measure(
  provider: Provider,
  inputs: Record<string, unknown>,
  iterations: number,
): Promise<number> {
  const outputs = {
    ...(await provider.check({}, inputs)).inputs,
    versionId: "v1",
    sha256: "00",
    layout: "key",
  };
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    const checked = await provider.check(outputs, inputs);
    const result = await provider.diff("id", outputs, checked.inputs);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
    if (result.changes) throw new Error("a no-op diff reported changes");
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

async function main(argv: string[]): Promise<void> {
  const iterations = Number(argv[argv.indexOf("--iterations") + 1]) || 2000;
  const json = argv.includes("--json") ? argv[argv.indexOf("--json") + 1] : undefined;
  const source = await mkdtemp(path.join(os.tmpdir(), "bench-diff-"));
  try {
    await writeFile(path.join(source, "handler.py"), "def handler(e, c): pass\n");
    const inputs = {
      bucket: "artifacts",
      key: "fn.zip",
      sourcePath: source,
      runtime: "python3.12",
      sourceKey: "0123456789abcdef0123456789abcdef01234567",
      exclude: ["tests/"],
      metadata: { team: "platform" },
      tags: { env: "prod" },
    };
    const direct = await measure(lambdaPackageProvider, inputs, iterations);
    const loaded = await measure(await serialized(), inputs, iterations);
    const row = (label: string, us: number) =>
      `${label.padEnd(22)} ${us.toFixed(1).padStart(8)} µs`;
    console.log(`no-op check + diff, median of ${iterations}:`);
    console.log(row("provider object", direct));
    console.log(row("serialized provider", loaded));
    if (json)
      await writeFile(
        json,
        JSON.stringify({ noop_diff_us: direct, noop_diff_serialized_us: loaded }, null, 2),
      );
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.stack);
  process.exitCode = 1;
});
