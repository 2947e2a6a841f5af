/**
 * The python packager tests' package index: wheels and source distributions
 * built offline in a directory pip reads with PIP_FIND_LINKS (there is no
 * index here), and lockfiles rendered from the templates in test/fixtures
 * with the real hashes of those files.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildPython, FIXTURES, run, tempDir, type Cleanup } from "./fixtures";

const DISTS = path.join(FIXTURES, "python-dists");

/** A directory of distributions, and the hash of each. */
export interface Wheelhouse {
  readonly dir: string;
  /** The hex SHA-256 of a file in the wheelhouse. */
  sha256(file: string): Promise<string>;
  /** pip's environment for installing from the wheelhouse and nothing else. */
  readonly env: Record<string, string>;
}

interface DistSpec {
  readonly kind: "wheel" | "sdist";
  readonly name: string;
  readonly version: string;
  readonly tag?: string;
  readonly files?: Record<string, string>;
  readonly binaries?: Record<string, string>;
  readonly requires?: readonly string[];
  readonly extensions?: readonly { name: string; sources: string[] }[];
}

/** Writes one distribution with test/fixtures/python-dists/make_dist.py. */
async function makeDist(out: string, spec: DistSpec): Promise<string> {
  return run("python3", [path.join(DISTS, "make_dist.py"), JSON.stringify({ ...spec, out })]);
}

/** The stand-in C extension compiled for a CPU: gcc for x86_64, aarch64-linux-gnu-gcc for arm64. */
async function compileNative(dir: string, architecture: "x86_64" | "arm64"): Promise<string> {
  const compiler = architecture === "x86_64" ? "gcc" : "aarch64-linux-gnu-gcc";
  const out = path.join(dir, `native-${architecture}.so`);
  await run(compiler, [
    "-shared",
    "-fPIC",
    "-O2",
    `-DBUILT_FOR="${architecture}"`,
    "-o",
    out,
    path.join(DISTS, "native.c"),
  ]);
  return out;
}

const pure = (name: string, version: string, body: string, requires: string[] = []): DistSpec => ({
  kind: "wheel",
  name,
  version,
  tag: "py3-none-any",
  files: { [`${name}/__init__.py`]: body },
  requires,
});

/**
 * Builds the wheelhouse every python packager test installs from:
 * - pure wheels: greeting, shout (an extra), devtool (a dev group), winonly (Windows only),
 *   and requests 2.30.0 and 2.32.3 (stand-ins needing greeting, for a project without a lock);
 * - fastcalc 0.3.0, a CPython 3.12 C extension as manylinux_2_17 wheels for x86_64 and aarch64;
 * - modern 1.0.0, a wheel for glibc 2.34 only (Amazon Linux 2023, not 2);
 * - source distributions only: puresdist (pure Python), nativesdist and nativetwo (C, one needing the other).
 */
export async function buildWheelhouse(t: Cleanup): Promise<Wheelhouse> {
  const work = await tempDir(t, "python-dists-");
  const dir = path.join(work, "wheels");
  const native = {
    x86_64: await compileNative(work, "x86_64"),
    arm64: await compileNative(work, "arm64"),
  };
  const c = await readFile(path.join(DISTS, "native.c"), "utf8");
  const specs: DistSpec[] = [
    pure("greeting", "1.0.0", 'def greet(name):\n    return "hello " + name\n', [
      'winonly; sys_platform == "win32"',
    ]),
    pure("shout", "2.0.0", "def shout(text):\n    return text.upper()\n"),
    pure("devtool", "1.0.0", "# a development tool: never in a Lambda package\n"),
    pure("winonly", "1.0.0", "# only for Windows: never in a Lambda package\n"),
    ...["2.30.0", "2.32.3"].map((version) =>
      pure("requests", version, `__version__ = "${version}"\n`, ["greeting>=1.0"]),
    ),
    ...(["x86_64", "arm64"] as const).map((architecture): DistSpec => ({
      kind: "wheel",
      name: "fastcalc",
      version: "0.3.0",
      tag: `cp312-cp312-manylinux_2_17_${architecture === "arm64" ? "aarch64" : "x86_64"}.manylinux2014_${architecture === "arm64" ? "aarch64" : "x86_64"}`,
      // Pure Python imports it anywhere; the object beside it is what the tests inspect.
      files: { "fastcalc/__init__.py": `BUILT_FOR = "${architecture}"\n` },
      binaries: {
        [`fastcalc/_native.cpython-312-${architecture === "arm64" ? "aarch64" : "x86_64"}-linux-gnu.so`]:
          native[architecture],
      },
    })),
    { ...pure("modern", "1.0.0", "NEEDS = 'glibc 2.34'\n"), tag: "py3-none-manylinux_2_34_x86_64" },
    {
      kind: "sdist",
      name: "puresdist",
      version: "1.0",
      files: { "puresdist/__init__.py": "SOURCE = True\n" },
    },
    ...["nativesdist", "nativetwo"].map((name): DistSpec => ({
      kind: "sdist",
      name,
      version: "1.0",
      files: { [`${name}/__init__.py`]: "\n", [`${name}/native.c`]: c },
      extensions: [{ name: `${name}._native`, sources: [`${name}/native.c`] }],
      requires: name === "nativesdist" ? ["nativetwo==1.0"] : [],
    })),
  ];
  for (const spec of specs) await makeDist(dir, spec);
  return {
    dir,
    sha256: async (file) =>
      createHash("sha256")
        .update(await readFile(path.join(dir, file)))
        .digest("hex"),
    env: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: dir },
  };
}

/**
 * Renders every `*.template` under `dir` into the file of the same name
 * without `.template`, each `{{sha256:<file>}}` replaced by the hex SHA-256
 * of that file of the wheelhouse, and removes the template.
 */
export async function renderTemplates(dir: string, wheelhouse: Wheelhouse): Promise<void> {
  const entries = await readdir(dir, { recursive: true });
  for (const entry of entries.filter((e) => e.endsWith(".template"))) {
    const template = path.join(dir, entry);
    let text = await readFile(template, "utf8");
    for (const [placeholder, file] of text.matchAll(/\{\{sha256:([^}]+)\}\}/g)) {
      text = text.replace(placeholder, await wheelhouse.sha256(file));
    }
    await writeFile(template.slice(0, -".template".length), text);
    await rm(template);
  }
}

/** ELF `e_machine` values (the ELF spec): what CPU an object's code is for. */
export const ELF_MACHINES: Record<number, string> = { 62: "x86_64", 183: "aarch64" };

/** Every ELF object under `dir`, by relative path, with the CPU its header names. */
export async function elfMachines(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const head = (await readFile(file)).subarray(0, 20);
    if (head.length < 20 || head.toString("latin1", 0, 4) !== "\x7fELF") continue;
    // e_machine: 2 bytes at offset 18, little-endian on both CPUs (EI_DATA = 1).
    const machine = head.readUInt16LE(18);
    found[path.relative(dir, file)] = ELF_MACHINES[machine] ?? `e_machine ${machine}`;
  }
  return found;
}

/**
 * pip's environment for the wheelhouse, with a Python that builds setuptools projects offline
 * (workspace members, path dependencies, sdists).
 */
export async function offlineBuildEnv(wheelhouse: Wheelhouse): Promise<Record<string, string>> {
  return {
    ...wheelhouse.env,
    PIP: `${await buildPython()} -m pip`,
    // pip's inverted spelling of --no-build-isolation: the build backend comes from PIP's Python.
    PIP_NO_BUILD_ISOLATION: "0",
  };
}
