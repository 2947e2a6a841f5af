/**
 * The package a file came from, where its path tells: the npm package that
 * holds it under `node_modules`, or the Python distribution whose
 * `*.dist-info` sits beside its top-level directory. Read from names only,
 * so the audit never opens a manifest.
 */

/** The innermost `node_modules/<name>` or `node_modules/@scope/<name>` on the path. */
const NPM_PACKAGE = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:(?!node_modules\/).)*$/;

/** `<dir>/<Name>-<version>.dist-info/…`: an installed Python distribution. */
const DIST_INFO = /^(?:(.*)\/)?([^/]+?)-([^-/]+)\.dist-info\//;

/** PEP 503's normal form, under which `Foo_Bar`, `foo-bar` and `foo.bar` are one name. */
function normal(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** Finds where the files of a package came from; built once per audit, only when there are findings. */
export class Origins {
  /** For each directory, its distributions by normal name: `numpy` → `numpy 1.26.4`. */
  private readonly dists = new Map<string, Map<string, string>>();

  constructor(names: Iterable<string>) {
    for (const name of names) {
      const match = DIST_INFO.exec(name);
      if (!match) continue;
      const [, dir = "", dist, version] = match;
      if (!this.dists.has(dir)) this.dists.set(dir, new Map());
      this.dists.get(dir)!.set(normal(dist), `${dist} ${version}`);
    }
  }

  /** `npm package sharp`, `Python package numpy 1.26.4`, or undefined when the path does not tell. */
  of(name: string): string | undefined {
    const npm = NPM_PACKAGE.exec(name);
    if (npm) return `npm package ${npm[1]}`;
    // Any directory on the path may be a site-packages (the root, `python/`,
    // `python/lib/python3.12/site-packages/`): the innermost one with a
    // distribution named like the next part of the path wins.
    const parts = name.split("/");
    for (let depth = parts.length - 2; depth >= 0; depth--) {
      const dists = this.dists.get(parts.slice(0, depth).join("/"));
      // auditwheel puts a wheel's bundled libraries in `<name>.libs/`.
      const top = parts[depth].replace(/\.libs$/, "");
      const dist = dists?.get(normal(top));
      if (dist) return `Python package ${dist}`;
    }
    return undefined;
  }
}
