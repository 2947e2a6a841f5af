/**
 * `npm run bench:source-key`: what `gitSourceKey` costs a Pulumi program, on
 * the npm tree of the zip benchmark (~16,000 files) committed to a fresh
 * repository, clean and with uncommitted edits, next to the git commands it
 * stands on: `git rev-parse HEAD:<path>` (the least a key from git can cost)
 * and `git status` of the same path (what knowing the tree is clean costs).
 * Every figure is a git process spawned from Node, as the program spawns it;
 * medians of `--iterations` interleaved rounds after one warm-up, index and
 * page cache warm.
 *
 *   node dist/bench/source-key.js [--iterations 21] [--json FILE]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gitSourceKey } from "../engine/git";
import { benchFlags, median, rotate, target, wholeFlag } from "./measure";
import { npmTree, walkTree } from "./trees";

const TARGET_RATIO = 2;
const FUNCTION = "services/api";

/**
 * Median milliseconds of each function over `iterations` rounds, after one
 * call of each to warm up. Every round calls each once, in another order each
 * round, so a busy machine slows them all alike and their ratios hold.
 */
function timeAll<K extends string>(
  iterations: number,
  fns: Record<K, () => unknown>,
): Record<K, number> {
  const names = Object.keys(fns) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (const name of names) fns[name]();
  for (let round = 0; round < iterations; round++) {
    for (const name of rotate(names, round)) {
      const started = process.hrtime.bigint();
      fns[name]();
      samples[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<
    K,
    number
  >;
}

/** A git command as a program runs it; fails loudly, so a figure is never of an error. */
function git(cwd: string, ...args: string[]): () => void {
  return () => {
    const result = spawnSync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    // diff-index --quiet exits 1 for "differs": an answer, not a failure.
    if (result.status !== 0 && !(args.includes("--quiet") && result.status === 1)) {
      throw new Error(`git ${args.join(" ")} exited ${result.status}: ${String(result.stderr)}`);
    }
  };
}

/** A repository holding the tree under services/api, committed, its index refreshed. */
async function repository(tree: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-source-key-"));
  await cp(tree, path.join(root, FUNCTION), { recursive: true, dereference: true });
  await writeFile(path.join(root, "README.md"), "# bench\n");
  const run = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
  run("init", "-q");
  run("add", "-A");
  run("commit", "-q", "-m", "tree");
  // A second later, one status writes back stat data that was racily clean at commit time.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  run("status", "--porcelain");
  return root;
}

async function main(): Promise<void> {
  const { json, values } = benchFlags("bench/source-key.ts", { iterations: { type: "string" } });
  const iterations = wholeFlag("iterations", values.iterations, 21);
  const tree = await npmTree();
  const files = walkTree(tree).length;
  console.log(
    `git ${execFileSync("git", ["--version"], { encoding: "utf8" }).trim()}, ${files} files`,
  );
  const root = await repository(tree);
  try {
    const status = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", FUNCTION];
    const clean = timeAll(iterations, {
      revParse: git(root, "rev-parse", `HEAD:${FUNCTION}`),
      status: git(root, ...status),
      diffIndex: git(root, "diff-index", "--quiet", "HEAD", "--", FUNCTION),
      lsOthers: git(root, "ls-files", "--others", "--exclude-standard", "--", FUNCTION),
      key: () => gitSourceKey(FUNCTION, { cwd: root }),
      keyHeadOnly: () => gitSourceKey(FUNCTION, { cwd: root, includeUncommitted: false }),
    });
    if (!/^git:[0-9a-f]{40}$/.test(gitSourceKey(FUNCTION, { cwd: root }))) {
      throw new Error("the committed tree should give a clean key");
    }

    // One file edited, one added: what a local `pulumi up` of edited code sees.
    const edited = path.join(root, FUNCTION, "node_modules", "typescript", "package.json");
    appendFileSync(edited, "\n");
    writeFileSync(path.join(root, FUNCTION, "new-handler.js"), "exports.handler = 1;\n");
    const dirtyKey = gitSourceKey(FUNCTION, { cwd: root });
    if (!dirtyKey.endsWith("-dirty"))
      throw new Error(`an edit should give a -dirty key: ${dirtyKey}`);
    const dirty = timeAll(iterations, {
      revParse: git(root, "rev-parse", `HEAD:${FUNCTION}`),
      status: git(root, ...status),
      key: () => gitSourceKey(FUNCTION, { cwd: root }),
    });

    const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
    console.log(`\nmedians of ${iterations}, ${FUNCTION} of ${files} files:`);
    console.log(`  git rev-parse HEAD:<path>          ${ms(clean.revParse)}`);
    console.log(`  git status -- <path>, clean        ${ms(clean.status)}`);
    console.log(`  git diff-index --quiet HEAD        ${ms(clean.diffIndex)}`);
    console.log(`  git ls-files --others              ${ms(clean.lsOthers)}`);
    console.log(`  gitSourceKey, clean                ${ms(clean.key)}`);
    console.log(`  gitSourceKey, includeUncommitted: false ${ms(clean.keyHeadOnly).trimStart()}`);
    console.log(`  git status -- <path>, dirty        ${ms(dirty.status)}`);
    console.log(`  gitSourceKey, dirty (2 files)      ${ms(dirty.key)}`);
    const ratio = clean.key / clean.revParse;
    const headOnly = clean.keyHeadOnly / clean.revParse;
    console.log(
      `  ${target(`clean key ≤ ${TARGET_RATIO}× rev-parse`, `${ratio.toFixed(1)}×`, ratio <= TARGET_RATIO)}`,
    );
    console.log(
      `  ${target(
        `includeUncommitted: false ≤ ${TARGET_RATIO}× rev-parse`,
        `${headOnly.toFixed(1)}×`,
        headOnly <= TARGET_RATIO,
      )}`,
    );
    console.log(`  clean key vs git status: ${(clean.key / clean.status).toFixed(2)}×`);
    console.log(`  dirty key vs git status: ${(dirty.key / dirty.status).toFixed(2)}×`);
    if (json) {
      await writeFile(
        json,
        JSON.stringify({ files, clean_ms: clean, dirty_ms: dirty }, null, 2) + "\n",
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
