import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ZipEntry } from "../engine/zip";

/**
 * Where benchmark trees are built once and kept: .tools/bench (git-ignored
 * with the rest of .tools/), or LAMBDA_PACKAGE_BENCH_CACHE, for a work tree
 * whose .tools is shared with others and should not be written to.
 */
export const CACHE =
  process.env.LAMBDA_PACKAGE_BENCH_CACHE ?? path.join(__dirname, "..", "..", ".tools", "bench");

/** Pinned to the versions this project depends on, so the tree is the same on every machine. */
const NPM_PACKAGES = ["@aws-sdk/client-s3@3.1169.0", "typescript@5.9.3", "@pulumi/pulumi@3.259.0"];

/** Packages from the machine's site-packages that a Lambda might carry, taken when present. */
const SITE_PACKAGES = [
  "boto3",
  "botocore",
  "s3transfer",
  "jmespath",
  "dateutil",
  "urllib3",
  "six.py",
  "requests",
  "idna",
  "certifi",
  "charset_normalizer",
  "yaml",
  "cryptography",
  "cffi",
  "pydantic",
  "pydantic_core",
  "typing_extensions.py",
  "sympy",
  "mpmath",
  "networkx",
];

/** A dataset directory, built by `build` unless its marker says it is complete. */
export async function cached(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(CACHE, name);
  const marker = `${dir}.ready`;
  const ready = await readFile(marker, "utf8").catch(() => "");
  if (ready !== "") return dir;
  console.error(`bench: building ${dir} (once)`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await build(dir);
  await writeFile(marker, new Date().toISOString());
  return dir;
}

/** node_modules of an npm install of the AWS SDK S3 client, TypeScript and Pulumi. */
export function npmTree(): Promise<string> {
  return cached("npm-tree", async (dir) => {
    await writeFile(path.join(dir, "package.json"), '{ "private": true }\n');
    execFileSync(
      "npm",
      [
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--prefix",
        dir,
      ].concat(NPM_PACKAGES),
      { stdio: "inherit" },
    );
  });
}

/**
 * The machine's Python standard library (without site-packages) plus common
 * packages from its site-packages at the top level, as a Lambda zip lays
 * them out. __pycache__ directories are dropped: packagers leave them out.
 */
export function pythonTree(): Promise<string> {
  return cached("python-tree", async (dir) => {
    const script =
      'import sysconfig;p=sysconfig.get_paths();print(p["stdlib"]);print(p["purelib"])';
    const [stdlib, site] = execFileSync("python3", ["-c", script], { encoding: "utf8" })
      .trim()
      .split("\n");
    const keep = (src: string) =>
      path.basename(src) !== "__pycache__" && path.resolve(src) !== path.resolve(site);
    await cp(stdlib, dir, { recursive: true, dereference: true, filter: keep });
    for (const name of SITE_PACKAGES) {
      const src = path.join(site, name);
      await cp(src, path.join(dir, name), {
        recursive: true,
        dereference: true,
        filter: keep,
      }).catch(() => console.error(`bench: ${src} not found, skipped`));
    }
  });
}

/** Three pure-Python wheels, alpha, beta and gamma 1.0.0, in a local directory. */
export function wheelhouse(): Promise<string> {
  return cached("wheels", async (dir) => {
    const python = ["python3", "/usr/bin/python3"].find((candidate) => {
      try {
        execFileSync(candidate, ["-c", "import setuptools, wheel"], { stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    });
    if (!python) throw new Error("no python3 with setuptools and wheel to build the bench wheels");
    for (const name of ["alpha", "beta", "gamma"]) {
      const project = path.join(dir, "src", name);
      await mkdir(path.join(project, name), { recursive: true });
      await writeFile(
        path.join(project, "pyproject.toml"),
        `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n` +
          `[project]\nname = "${name}"\nversion = "1.0.0"\n`,
      );
      await writeFile(path.join(project, name, "__init__.py"), `NAME = "${name}"\n`.repeat(200));
      execFileSync(python, [
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        dir,
        project,
      ]);
    }
  });
}

/** pip's settings to install from `wheels` alone: no index, no version check. */
export function offlinePip(wheels: string): NodeJS.ProcessEnv {
  return { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels, PIP_DISABLE_PIP_VERSION_CHECK: "1" };
}

/** The dependencies of the Node.js function here and of bench:bundle's TypeScript one. */
export const FUNCTION_DEPENDENCIES = {
  dependencies: { zod: "3.25.76", uuid: "11.1.0", "date-fns": "4.1.0" },
  devDependencies: { "is-number": "7.0.0" },
} as const;

/** A Node.js function with a few production dependencies, one dev dependency and a lockfile. */
export function nodeFunction(): Promise<string> {
  return cached("node-function", async (dir) => {
    await writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "bench-fn",
        version: "1.0.0",
        private: true,
        ...FUNCTION_DEPENDENCIES,
      }),
    );
    await writeFile(
      path.join(dir, "index.js"),
      'const { z } = require("zod");\nexports.handler = async (e) => z.object({}).parse(e);\n',
    );
    execFileSync("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"], {
      cwd: dir,
    });
  });
}

/** A small Node.js function's dependencies: one production package and its lockfile. */
export function smallNodeFunction(): Promise<string> {
  return cached("node-small-function", async (dir) => {
    await writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "bench-small-fn",
        version: "1.0.0",
        private: true,
        dependencies: { uuid: "11.1.0" },
      }),
    );
    execFileSync("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"], {
      cwd: dir,
    });
  });
}

/**
 * Every regular file under `root`, following symlinks as `zip -r` does, in
 * the shape writeZip takes. No excludes: the benchmark compares tools on
 * exactly the same files. Synchronous, like zip's own walk: a libuv round
 * trip per stat would make the walk, not the zipper, what is measured.
 */
export function walkTree(root: string): ZipEntry[] {
  const files: ZipEntry[] = [];
  const visit = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const info = statSync(file);
      if (info.isDirectory()) visit(file, `${prefix}${name}/`);
      else if (info.isFile()) {
        const executable = (info.mode & 0o111) !== 0;
        files.push({ name: prefix + name, sourceFile: file, size: info.size, executable });
      }
    }
  };
  visit(root, "");
  return files;
}
