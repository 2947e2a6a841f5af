/**
 * Which installed Python distribution each file of a package belongs to,
 * from the `*.dist-info/RECORD` files pip and uv write: every file a
 * distribution installed, relative to the directory holding its
 * `.dist-info` (the site-packages: the root, `python/`, or
 * `python/lib/python3.12/site-packages/` in a layer). A file no RECORD
 * names (bytecode compiled later) belongs to the distribution whose
 * top-level directory it lies in.
 */

/** `<dir>/<Name>-<version>.dist-info/RECORD`. */
const RECORD = /^(?:(.*)\/)?([^/]+?)-([^-/]+)\.dist-info\/RECORD$/;

/** Whether a package entry is a distribution's RECORD, which `DistIndex` wants to read. */
export function isDistRecord(name: string): boolean {
  return RECORD.test(name);
}

export interface Dist {
  readonly name: string;
  readonly version: string;
}

export class DistIndex {
  private readonly files = new Map<string, Dist>();
  private readonly topDirs = new Map<string, Dist>();

  /** `records`: each RECORD's entry name and its text. */
  constructor(records: Iterable<readonly [string, string]>) {
    for (const [name, text] of records) {
      const match = RECORD.exec(name);
      if (!match) continue;
      const [, dir = "", distName, version] = match;
      const dist = { name: distName, version };
      for (const line of text.split(/\r?\n/)) {
        const file = firstField(line);
        if (!file) continue;
        const resolved = resolve(dir, file);
        // A script installed to ../../bin is outside the package's tree; it names nothing here.
        if (resolved === undefined) continue;
        this.files.set(resolved, dist);
        const rest = dir === "" ? resolved : resolved.slice(dir.length + 1);
        const slash = rest.indexOf("/");
        if (slash > 0) {
          const top = `${dir === "" ? "" : `${dir}/`}${rest.slice(0, slash)}`;
          if (!top.endsWith(".dist-info") && !this.topDirs.has(top)) this.topDirs.set(top, dist);
        }
      }
    }
  }

  /** The distribution `name` (a package entry) was installed by, if any RECORD says. */
  of(name: string): Dist | undefined {
    const exact = this.files.get(name);
    if (exact) return exact;
    for (let at = name.lastIndexOf("/"); at > 0; at = name.lastIndexOf("/", at - 1)) {
      const dist = this.topDirs.get(name.slice(0, at));
      if (dist) return dist;
    }
    return undefined;
  }
}

/** The first field of a RECORD line, a CSV row: quoted when it holds a comma or a quote. */
function firstField(line: string): string | undefined {
  if (!line.startsWith('"')) return line.split(",")[0] || undefined;
  let value = "";
  for (let at = 1; at < line.length; at++) {
    if (line[at] !== '"') value += line[at];
    else if (line[at + 1] === '"') {
      value += '"';
      at++;
    } else return value || undefined;
  }
  return undefined;
}

/** `dir/file` with `.` and `..` resolved; undefined when it leaves the package. */
function resolve(dir: string, file: string): string | undefined {
  const parts: string[] = dir === "" ? [] : dir.split("/");
  for (const part of file.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join("/");
}
