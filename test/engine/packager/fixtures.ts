/** Shared by the packager tests: temp dirs, fixture copies, staging runs, wheels. */
import execa from "execa";
import { run } from "../../support/run";
import { stagedBytes } from "../../support/staged";
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { normalizeBuildOptions, type BuildOptions } from "../../../engine/options";
import { packageRoot } from "../../../engine/packager";
import { preflight } from "../../../engine/preflight";
import { stage as stageFiles } from "../../../engine/stage";

export const FIXTURES = path.join(packageRoot, "test", "fixtures");

/** Something that runs clean-ups later: a TestContext, or a `suiteCleanup()`. */
export interface Cleanup {
  after(fn: () => Promise<void>): void;
}

/** Clean-ups for suite-level `before` hooks: call `run` from `after`. */
export function suiteCleanup(): Cleanup & { run(): Promise<void> } {
  const fns: (() => Promise<void>)[] = [];
  return {
    after: (fn) => void fns.push(fn),
    run: async () => {
      for (const fn of fns.splice(0)) await fn();
    },
  };
}

/** A fresh temp directory, removed when the test (or suite) ends. */
export async function tempDir(t: Cleanup, prefix = "packager-test-") {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies test/fixtures/<name> into a temp dir, so packagers never write into the repo. */
export async function copyFixture(t: Cleanup, name: string): Promise<string> {
  const dir = path.join(await tempDir(t), name);
  const root = path.join(FIXTURES, name);
  // Leftovers of a developer's manual build would leak into the test (a stale
  // setuptools build/ wins over the sources it was built from).
  const leftover = (src: string) =>
    /^(__pycache__|node_modules|.*\.egg-info)$/.test(path.basename(src)) ||
    src === path.join(root, "build");
  await cp(root, dir, { recursive: true, verbatimSymlinks: true, filter: (s) => !leftover(s) });
  return dir;
}

export interface Staged {
  /** What the package holds, as files in a directory of its own (see `stage`). */
  readonly buildDir: string;
  /** The packager's $PACKAGE_ZIP, as it left it. */
  readonly packageZip: string;
  readonly lines: string[];
}

type StageOptions = Partial<Omit<BuildOptions, "sourcePath" | "runtime" | "log">>;

/**
 * Runs the built-in packager `runtime` on `sourcePath` as the engine does
 * (`stage`: the packager's output, the source it asks for, $PACKAGE_ZIP), and
 * lays the files the package would hold out in a directory, so tests can look
 * at them, import them and run them.
 */
export async function stage(
  t: Cleanup,
  runtime: string,
  sourcePath: string,
  options: StageOptions = {},
): Promise<Staged> {
  const lines: string[] = [];
  const normalized = normalizeBuildOptions({
    sourcePath,
    runtime,
    log: (line) => lines.push(line),
    ...options,
  });
  const work = await tempDir(t, "packager-stage-");
  const files = await stageFiles(normalized, preflight(normalized), work);
  const buildDir = path.join(await tempDir(t, "packager-staged-"), "package");
  for (const file of files) {
    const target = path.join(buildDir, file.name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, stagedBytes(file));
    await chmod(target, file.executable ? 0o755 : 0o644);
  }
  await mkdir(buildDir, { recursive: true });
  return { buildDir, packageZip: path.join(work, "package.zip"), lines };
}

/** Every path under `dir`, relative, "/"-separated, sorted; directories end in "/". */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((e) => {
      const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/");
      return e.isDirectory() ? `${rel}/` : rel;
    })
    .sort();
}

export { run };

/**
 * A Python that can build a setuptools wheel offline (setuptools and wheel
 * importable). The pyenv python3 on PATH lacks `wheel`; Debian's
 * /usr/bin/python3 has both. There is no package index to fetch them from.
 */
export async function buildPython(): Promise<string> {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const ok = await execa(candidate, ["-c", "import setuptools, wheel"], { reject: false });
    if (ok.exitCode === 0) return candidate;
  }
  throw new Error(
    "No python3 with setuptools and wheel importable (tried python3, /usr/bin/python3). " +
      "The Python packager tests build their test wheels offline; install python3-wheel (Debian).",
  );
}

/**
 * Builds the `greeting` fixture into a wheel in `wheelhouse`. `builtFor` is
 * written into the module and, with `tag`, the wheel is renamed to look like
 * a platform wheel (pip trusts the file name for tags), so tests can tell
 * which one pip picked.
 */
export async function buildGreetingWheel(
  t: Cleanup,
  wheelhouse: string,
  builtFor = "any",
  tag?: string,
): Promise<string> {
  const src = await copyFixture(t, "python-greeting");
  const init = path.join(src, "greeting", "__init__.py");
  const text = (await readFile(init, "utf8")).replace(
    'BUILT_FOR = "any"',
    `BUILT_FOR = "${builtFor}"`,
  );
  await writeFile(init, text);
  const out = path.join(src, "wheel-out");
  await run(await buildPython(), [
    "-m",
    "pip",
    "wheel",
    "--no-deps",
    "--no-build-isolation",
    "--disable-pip-version-check",
    "-w",
    out,
    src,
  ]);
  const [built] = await readdir(out);
  const name = tag ? `greeting-1.0.0-${tag}.whl` : built;
  await mkdir(wheelhouse, { recursive: true });
  await rename(path.join(out, built), path.join(wheelhouse, name));
  return path.join(wheelhouse, name);
}
