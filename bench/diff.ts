/**
 * What a no-op `pulumi up` costs the provider: `check` + `diff` of unchanged
 * inputs, on the object and on the serialized form the engine loads. No
 * packager runs and no file is hashed, so with a given `sourceKey` this is
 * microseconds, whatever the size of the source tree; with an automatic key
 * (the last row) the diff asks git about the recorded read set, one diff
 * after another as the engine asks them.
 *
 *   node dist/bench/diff.js [--iterations 2000] [--json FILE]
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";
import { readsKey } from "../engine/reads/key";
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
  recorded: Record<string, unknown> = {},
): Promise<number> {
  const outputs = {
    ...(await provider.check({}, inputs)).inputs,
    versionId: "v1",
    sha256: "00",
    layout: "key",
    ...recorded,
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

/** A function in a committed git repository with a root lockfile, and what its build read. */
async function committedFunction(
  dir: string,
): Promise<{ automatic: Record<string, unknown>; reads: string[] }> {
  const root = path.join(dir, "repo");
  await mkdir(path.join(root, "functions", "api"), { recursive: true });
  await writeFile(path.join(root, "functions", "api", "index.js"), "exports.handler = 1;\n");
  await writeFile(path.join(root, "package-lock.json"), "{}\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], {
      cwd: root,
    });
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "functions");
  const sourcePath = path.join(root, "functions", "api");
  return {
    automatic: { bucket: "artifacts", key: "api.zip", sourcePath, runtime: "nodejs22.x" },
    reads: [sourcePath, path.join(root, "package-lock.json")],
  };
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
    // An automatic key: the diff takes the key of the recorded read set, asking git (a
    // function's directory and the root lockfile of a committed repository).
    const { automatic, reads } = await committedFunction(source);
    const auto = await measure(
      lambdaPackageProvider,
      automatic,
      Math.max(20, Math.round(iterations / 20)),
      { sourceReads: reads, sourceKey: await readsKey(reads) },
    );
    const row = (label: string, us: number) =>
      `${label.padEnd(22)} ${us.toFixed(1).padStart(8)} µs`;
    console.log(`no-op check + diff, median of ${iterations}:`);
    console.log(row("provider object", direct));
    console.log(row("serialized provider", loaded));
    console.log(row("automatic key, git", auto));
    if (json)
      await writeFile(
        json,
        JSON.stringify(
          { noop_diff_us: direct, noop_diff_serialized_us: loaded, noop_diff_automatic_us: auto },
          null,
          2,
        ),
      );
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.stack);
  process.exitCode = 1;
});
