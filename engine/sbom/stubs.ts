/**
 * `package.json` stubs of the packages a bundle inlined (`bundle.manifests`),
 * for scanners that find packages only by their manifests. Each is
 * `{"name","version"}` and nothing else, at the path the package was
 * installed at, so two versions of one package never meet at one path; one
 * where the zip already holds files of that package (installed beside the
 * bundle) is left out, so a real package's manifest is never replaced.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StagedFile } from "../stage";
import type { FoundPackage } from "./components";

/** The stubs as staged files, written under `dir`; inlined packages only. */
export async function manifestStubs(
  inlined: readonly FoundPackage[],
  files: readonly StagedFile[],
  dir: string,
): Promise<StagedFile[]> {
  const stubs = new Map<string, string>();
  for (const pkg of inlined) {
    const name = `${pkg.where}/package.json`;
    // The path comes from the file system, and names a place in the zip: no part may climb.
    if (
      !/^node_modules\//.test(name) ||
      name.split("/").some((p) => p === "" || p === "." || p === "..")
    )
      continue;
    if (files.some((f) => f.name.startsWith(`${pkg.where}/`)) || stubs.has(name)) continue;
    stubs.set(name, `${JSON.stringify({ name: pkg.name, version: pkg.version })}\n`);
  }
  const staged: StagedFile[] = [];
  for (const [name, text] of stubs) {
    const sourceFile = path.join(dir, ...name.split("/"));
    await mkdir(path.dirname(sourceFile), { recursive: true });
    await writeFile(sourceFile, text);
    staged.push({ name, sourceFile, size: Buffer.byteLength(text), executable: false });
  }
  return staged;
}
