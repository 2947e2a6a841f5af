import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ZipEntry } from "../engine/zip";

/**
 * Where benchmark trees are built once and kept (git-ignored with the rest of .tools/);
 * LAMBDA_PACKAGE_BENCH_CACHE puts them elsewhere, e.g. for a work tree whose .tools is shared.
 */
export const CACHE =
  process.env.LAMBDA_PACKAGE_BENCH_CACHE || path.join(__dirname, "..", "..", ".tools", "bench");

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
async function cached(name: string, build: (dir: string) => Promise<void>): Promise<string> {
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
