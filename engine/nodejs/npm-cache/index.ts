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
import { closeSync, createReadStream, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { LambdaPackageError } from "../../../shared/errors";
import { show } from "../../../shared/format";
import type { Architecture } from "../../options";
import { manifestLine } from "../../packager/manifest";
import { CPU } from "../platform";
import type { NodeProject } from "../project";
import { npmCacheSettings } from "./config";
import { lockedPackages, type LockedPackage, type Platform } from "./lockfile";
import {
  hasWindowsShebang,
  nameProblem,
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
  const { lockfile } = project;
  const plan = lockedPackages(lock, project.manifest, platformOf(request.architecture), lockfile);
  if ("reason" in plan) return skip(plan.reason);

  const archiveFile = path.join(path.dirname(request.sourceManifest), "npm-packages");
  const lines: string[] = [];
  try {
    lines.push(manifestLine({ from: archiveFile }));
  } catch (error) {
    return skip((error as Error).message); // the work dir's own path, unwritable as a line
  }
  const archive: Archive = { fd: openSync(archiveFile, "w+"), size: 0 };
  let reason: string | undefined;
  let listed = false;
  try {
    const links = new Map<string, string>();
    const where = { cache: settings.cache, archive, prefix: request.prefix, lockfile };
    for (const locked of plan.packages) {
      reason = await addPackage(locked, where, lines, links);
      if (reason) break;
    }
    listed = reason === undefined;
  } finally {
    closeSync(archive.fd);
    if (!listed) rmSync(archiveFile, { force: true });
  }
  if (reason) return skip(reason);
  await appendFile(request.sourceManifest, lines.join("\n") + "\n");
  log(
    `nodejs packager: ${plan.packages.length} package(s) of ${project.lockfile} unpacked from ` +
      `npm's cache (${settings.cache}); npm ci was not needed.`,
  );
  return true;
}

/** Where a package is read from and unpacked to, and the lockfile that names it. */
interface Destination {
  readonly cache: string;
  readonly archive: Archive;
  /** Where node_modules goes in the package: "" or "nodejs/". */
  readonly prefix: string;
  readonly lockfile: string;
}

/**
 * Unpacks one package into the archive and adds its manifest lines (its files,
 * then its bins under the node_modules that holds it); returns a reason to
 * stop instead when npm would do something else, and throws when npm ci would
 * end in a package no zip can hold.
 */
async function addPackage(
  locked: LockedPackage,
  to: Destination,
  lines: string[],
  links: Map<string, string>,
): Promise<string | undefined> {
  const { location, sha512, label } = locked;
  const { cache, archive, prefix, lockfile } = to;
  const cached = path.join(
    cache,
    "content-v2",
    "sha512",
    sha512.slice(0, 2),
    sha512.slice(2, 4),
    sha512.slice(4),
  );
  // Streamed: a tarball's bytes are never all in memory, packed or unpacked.
  const hash = createHash("sha512");
  try {
    await pipeline(createReadStream(cached), hash);
  } catch {
    return `${label} is not in npm's cache (${cache})`;
  }
  if (hash.digest("hex") !== sha512) {
    return `${label}'s tarball in npm's cache does not match the lockfile's integrity`;
  }
  const of = `of ${label} (${location} in ${lockfile})`;
  const unpacked = await unpackTarball(createReadStream(cached), archive);
  if ("refused" in unpacked) throw refusal(of, unpacked.refused);
  if ("reason" in unpacked) return `${of}: ${unpacked.reason}`;
  const files = unpacked.files;
  const bins = binFiles(files, archive);
  if (typeof bins === "string") return `${of}: ${bins}`;
  const holder = location.slice(0, location.lastIndexOf("node_modules/") + "node_modules".length);
  try {
    for (const [name, file] of files) lines.push(entryLine(`${prefix}${location}/${name}`, file));
    for (const [bin, file] of bins) {
      const link = `${holder}/.bin/${bin}`;
      const owner = links.get(link);
      if (owner) return `${label} and ${owner} both have the bin ${bin}`;
      links.set(link, label);
      lines.push(entryLine(`${prefix}${link}`, file));
    }
  } catch (error) {
    // The names were checked where they entered; this is the writer's own guard.
    return `${of}: ${(error as Error).message}`;
  }
  return undefined;
}

/** npm ci would write the name too, and the zip could not hold it: the package is the problem. */
function refusal(of: string, what: string): LambdaPackageError {
  return new LambdaPackageError(
    "INSTALL_FAILED",
    `The package ${of.slice("of ".length)} cannot go into a Lambda zip: ${what}. npm ci would ` +
      `install it as it is. Use a version of the package without that file, or leave the ` +
      `package out of the function's dependencies.`,
  );
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
    // A bin's name is a path in the package and a manifest line, as a file's is.
    const problem = nameProblem(bin);
    if (problem) return `its bin ${show(bin)} has ${problem} in its name`;
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
  return manifestLine({ entry: name, ...file });
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
