/**
 * Installing an npm project's production dependencies without `npm ci`:
 * the lockfile names every package and its tarball's hash, npm's cache holds
 * the tarballs once any install on this machine has fetched them, and the
 * zip needs their bytes, not a node_modules of thousands of files. So each
 * tarball is read from the cache, checked against the lockfile's SHA-512 and
 * unpacked as npm would into one archive file beside $SOURCE_MANIFEST, whose
 * ranges the manifest lists (packagers/README.md, "Including the source").
 *
 * It is all or nothing, decided before the manifest gets a line: a package
 * missing from the cache, or anything npm ci would do beyond unpacking
 * (install scripts, links, settings that change the install), and npm ci
 * runs as before. The zip is the same either way; the tests hold both to it.
 */
import { closeSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import type { Architecture } from "../../options";
import { CPU } from "../install";
import type { NodeProject } from "../project";
import { npmCacheSettings } from "./config";
import { lockedPackages, type LockedPackage, type Platform } from "./lockfile";
import {
  hasWindowsShebang,
  packageBins,
  unpackTarball,
  type Archive,
  type PackageFiles,
  type PackedFile,
} from "./unpack";

/** Set (to anything but empty) in the packager's environment, npm ci always runs. */
export const FORCE_NPM_CI = "LAMBDA_PACKAGE_NPM_CI";

export interface CacheInstallRequest {
  readonly project: NodeProject;
  /** Where node_modules goes in the package: "" or "nodejs/" (a layer). */
  readonly prefix: string;
  /** Lambda's architecture; none: this machine's. */
  readonly architecture?: Architecture;
  /** `$SOURCE_MANIFEST`: the entries are listed there, the archive written beside it. */
  readonly sourceManifest: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

/**
 * Lists the project's production packages from npm's cache; false (with a
 * log line saying why, when it is not plain) when npm ci has to run.
 */
export async function installFromCache(request: CacheInstallRequest): Promise<boolean> {
  const { project, env, log } = request;
  if (project.manager !== "npm" || !project.lockfile || project.workspace) return false;
  const skip = (why: string) => {
    log(`nodejs packager: running npm ci, because ${why}.`);
    return false;
  };
  if (env[FORCE_NPM_CI]) return skip(`${FORCE_NPM_CI} is set`);
  if (project.pinned && Number(project.pinned.version.split(".")[0]) < 7) {
    return skip(`packageManager pins npm ${project.pinned.version}`);
  }
  const settings = npmCacheSettings(project.root, env);
  if ("reason" in settings) return skip(settings.reason);
  let lock: unknown;
  try {
    lock = JSON.parse(readFileSync(path.join(project.root, project.lockfile), "utf8"));
  } catch {
    return skip(`${project.lockfile} is not JSON`); // npm ci says where
  }
  const plan = lockedPackages(lock, project.manifest, platformOf(request.architecture));
  if ("reason" in plan) return skip(plan.reason);

  const archiveFile = path.join(path.dirname(request.sourceManifest), "npm-packages");
  const archive: Archive = { fd: openSync(archiveFile, "w+"), size: 0 };
  const lines: string[] = [`from ${archiveFile}`];
  let reason: string | undefined;
  try {
    const links = new Map<string, string>();
    for (const locked of plan.packages) {
      reason = addPackage(locked, settings.cache, archive, request.prefix, lines, links);
      if (reason) break;
    }
  } finally {
    closeSync(archive.fd);
  }
  if (reason) {
    rmSync(archiveFile, { force: true });
    return skip(reason);
  }
  await appendFile(request.sourceManifest, lines.join("\n") + "\n");
  log(
    `nodejs packager: ${plan.packages.length} package(s) of ${project.lockfile} unpacked from ` +
      `npm's cache (${settings.cache}); npm ci was not needed.`,
  );
  return true;
}

/**
 * Unpacks one package into the archive and adds its manifest lines (its files,
 * then its bins under the node_modules that holds it); returns a reason to
 * stop instead when npm would do something else.
 */
function addPackage(
  locked: LockedPackage,
  cache: string,
  archive: Archive,
  prefix: string,
  lines: string[],
  links: Map<string, string>,
): string | undefined {
  const { location, sha512, label } = locked;
  const cached = path.join(
    cache,
    "content-v2",
    "sha512",
    sha512.slice(0, 2),
    sha512.slice(2, 4),
    sha512.slice(4),
  );
  let tgz: Buffer;
  try {
    tgz = readFileSync(cached);
  } catch {
    return `${label} is not in npm's cache (${cache})`;
  }
  if (createHash("sha512").update(tgz).digest("hex") !== sha512) {
    return `${label}'s tarball in npm's cache does not match the lockfile's integrity`;
  }
  const unpacked = unpackTarball(tgz, archive);
  if ("reason" in unpacked) return `of ${label}: ${unpacked.reason}`;
  const files = unpacked.files;
  const bins = binFiles(files, archive);
  if (typeof bins === "string") return `of ${label}: ${bins}`;
  const holder = location.slice(0, location.lastIndexOf("node_modules/") + "node_modules".length);
  for (const [name, file] of files) lines.push(entryLine(`${prefix}${location}/${name}`, file));
  for (const [bin, file] of bins) {
    const link = `${holder}/.bin/${bin}`;
    const owner = links.get(link);
    if (owner) return `${label} and ${owner} both have the bin ${bin}`;
    links.set(link, label);
    lines.push(entryLine(`${prefix}${link}`, file));
  }
  return undefined;
}

/** The package's bins and the files they are, made executable; a string is a reason to stop. */
function binFiles(files: PackageFiles, archive: Archive): Map<string, PackedFile> | string {
  const found = new Map<string, PackedFile>();
  const manifestFile = files.get("package.json");
  if (!manifestFile) return found;
  const bytes = Buffer.alloc(manifestFile.size);
  readSync(archive.fd, bytes, 0, bytes.length, manifestFile.offset);
  let manifest: { name?: unknown; bin?: unknown; directories?: { bin?: unknown } };
  try {
    manifest = JSON.parse(bytes.toString("utf8")) as typeof manifest;
  } catch {
    return "its package.json is not JSON";
  }
  if (manifest.bin === undefined && manifest.directories?.bin !== undefined) {
    return "its bins are a directory (directories.bin)";
  }
  for (const [bin, target] of packageBins(manifest)) {
    const file = files.get(target);
    if (!file) {
      // npm's link would dangle, and dangling links are left out.
      if ([...files.keys()].some((name) => name.startsWith(`${target}/`))) {
        return `its bin ${bin} is a directory`;
      }
      continue;
    }
    if (hasWindowsShebang(archive, file)) return `its bin ${bin} has a \\r\\n shebang line`;
    file.executable = true;
    found.set(bin, file);
  }
  return found;
}

function entryLine(name: string, file: PackedFile): string {
  return `entry ${file.offset} ${file.size} ${file.executable ? "755" : "644"} ${name}`;
}

/** The platform npm ci is told to install for: `--os`/`--cpu`, and this machine's libc. */
function platformOf(architecture: Architecture | undefined): Platform {
  return {
    os: architecture ? "linux" : process.platform,
    cpu: architecture ? CPU[architecture] : process.arch,
    libc: hostLibc,
  };
}

/** How npm-install-checks tells glibc from musl. */
function hostLibc(): string | undefined {
  if (process.platform !== "linux") return undefined;
  const report = process.report.getReport() as {
    header?: { glibcVersionRuntime?: string };
    sharedObjects?: string[];
  };
  if (report.header?.glibcVersionRuntime) return "glibc";
  if (report.sharedObjects?.some((o) => /libc\.musl-|ld-musl-/.test(o))) return "musl";
  return undefined;
}
