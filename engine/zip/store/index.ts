/**
 * The zip store: compressed streams kept in the user's cache directory, by
 * content, so a build does not deflate again what this machine deflated
 * before (an earlier build of the function, or of another). Deflate at level
 * 9 runs at about 25 MB/s a core; SHA-256, which finds a stream, at over a
 * GB/s.
 *
 * Layout: each build that compressed something new writes one pack (the new
 * streams back to back) and one index (a record per stream, see table.ts)
 * of the same name. Both are written under temporary names and renamed,
 * pack first: a reader lists indexes only, so it never sees a pack being
 * written, and packs are never changed once named. A pack is the unit of
 * eviction: when the packs pass MAX_PACKS or `maxBytes`, the least recently
 * used go first (a build that reuses a pack touches its mtime). Builds
 * committing at the same moment each evict by what they listed, so the
 * bound can be passed by the packs published meanwhile (one per concurrent
 * build) until the next commit. A pack
 * removed while another build reads it is, for that build, a miss: it
 * compresses the stream as a cold build does.
 *
 * The store is a cache: nothing in it can fail a build. A damaged index is
 * ignored and removed; a stream whose bytes fail their CRC is compressed
 * again and its pack removed; a store that cannot be written is logged.
 */
import { randomBytes } from "node:crypto";
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import type { FileHandle } from "node:fs/promises";
import { userCacheDir } from "../../../shared/cache-dir";
import { LambdaPackageError } from "../../../shared/errors";
import { COLUMNS, type JobResult, type StoreOutcome } from "../compress";
import { METHOD_DEFLATED, METHOD_STORED } from "../format";
import type { Unit } from "../plan";
import { STORE_BAD, STORE_HIT, STORE_MISS, type StoreView } from "./reuse";
import { buildTable, indexFile, indexRecords, KEY_BYTES, RECORD_BYTES, writeRecord } from "./table";

/** Where the store is and how large it may grow. */
export interface ZipStoreOptions {
  /** Absolute path of the store's directory; made when missing. */
  readonly dir: string;
  /**
   * Bytes of packs kept; past it the least recently used packs are removed.
   * @default STORE_MAX_BYTES (1 GiB)
   */
  readonly maxBytes?: number;
}

/** Default bound of the store's size. */
export const STORE_MAX_BYTES = 1024 * 1024 * 1024;
/** Packs kept at most: each is an index read by every build, so their number is bounded too. */
export const MAX_PACKS = 64;
/** A temporary file this old is left from a build that died: removed at eviction. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** The environment variable that moves the store or turns it off. */
export const STORE_ENV = "LAMBDA_PACKAGE_ZIP_STORE";

/**
 * The store writeZip uses unless told otherwise: `$LAMBDA_PACKAGE_ZIP_STORE`
 * when it is an absolute path, none when it is `off`, else `zip-store` in
 * the user's cache directory (`$XDG_CACHE_HOME/lambda-package`, else
 * `~/.cache/lambda-package`).
 */
export function defaultStore(env: NodeJS.ProcessEnv = process.env): ZipStoreOptions | false {
  const value = env[STORE_ENV];
  if (value === undefined || value === "")
    return { dir: path.join(userCacheDir(env), "zip-store") };
  if (value === "off") return false;
  if (!path.isAbsolute(value)) {
    throw new LambdaPackageError(
      "BAD_ZIP_STORE",
      `${STORE_ENV} must be "off" or an absolute directory path, got "${value}"; ` +
        "unset it to use the user cache directory.",
    );
  }
  return { dir: value };
}

/** What a zip reused: streams and compressed bytes taken from the store, of all looked up. */
export interface StoreStats {
  readonly reused: number;
  readonly reusedBytes: number;
  readonly streams: number;
  readonly bytes: number;
}

/** One zip's use of the store: the view its jobs look up, and the recording of what they missed. */
export class ZipStore {
  /** The pack this build writes its new streams into, opened at the first. */
  private pack?: { handle: FileHandle; temp: string };
  /** Bytes given a place in the pack so far. */
  private packSize = 0;
  /** Why the pack could not be written; then nothing more is recorded. */
  private failure?: Error;
  private readonly records: Buffer[] = [];
  private readonly recorded = new Set<string>();
  private readonly used = new Set<number>();
  private readonly bad = new Set<number>();
  private stats = { reused: 0, reusedBytes: 0, streams: 0, bytes: 0 };

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    /** Names (without extension) of the packs the view points into, by number. */
    private readonly names: readonly string[],
    readonly view: StoreView,
    private readonly log: (line: string) => void,
  ) {}

  /** The store in `options.dir` as it is now; undefined (and a log line) when it cannot be read. */
  static async open(
    options: ZipStoreOptions,
    log: (line: string) => void,
  ): Promise<ZipStore | undefined> {
    const { dir } = options;
    try {
      await mkdir(dir, { recursive: true });
      const indexes = (await readdir(dir)).filter((n) => n.endsWith(".index")).sort();
      const names: string[] = [];
      const records: Buffer[] = [];
      for (const file of indexes) {
        const name = file.slice(0, -".index".length);
        const content = await readFile(path.join(dir, file)).catch(() => undefined);
        // Gone since the listing: evicted by another build.
        if (!content) continue;
        const parsed = indexRecords(content);
        if (!parsed) {
          log(`lambda-package: zip store: ${file} is damaged; removing it and its pack.`);
          await removePack(dir, name);
          continue;
        }
        names.push(name);
        records.push(parsed);
      }
      const view = { table: buildTable(records), packs: names.map((n) => packPath(dir, n)) };
      return new ZipStore(dir, options.maxBytes ?? STORE_MAX_BYTES, names, view, log);
    } catch (error) {
      log(
        `lambda-package: zip store ${dir} cannot be read (${(error as Error).message}); zipping without it.`,
      );
      return undefined;
    }
  }

  /**
   * Takes note of a written unit: the packs its hits came from, and the
   * streams it compressed, whose bytes (in `output`, until this resolves)
   * are appended to this build's pack in one write. Never rejects: a store
   * that cannot be written stops recording, and `commit` says why.
   */
  async record(unit: Unit, result: JobResult, output: Buffer): Promise<void> {
    const buffers: Buffer[] = [];
    const at = this.packSize;
    if (result.kind === "files" && result.keys && "entries" in unit) {
      let from = 0;
      for (let i = 0; i < unit.entries.length; i++) {
        const row = COLUMNS * i;
        const size = result.table[row + 1];
        const outcome = {
          state: result.table[row + 3],
          aux: result.table[row + 4],
          key: result.keys.subarray(KEY_BYTES * i, KEY_BYTES * (i + 1)),
        };
        this.note(outcome, result.table[row + 2], output.subarray(from, from + size), buffers);
        from += size;
      }
    } else if (result.kind === "chunk" && result.store) {
      this.note(result.store, METHOD_DEFLATED, output.subarray(0, result.length), buffers);
    }
    if (buffers.length === 0 || this.failure) return;
    try {
      this.pack ??= await this.createPack();
      await this.pack.handle.writev(buffers, at);
    } catch (error) {
      this.failure ??= error as Error;
    }
  }

  /** Counts one stream, and when it was compressed here, adds its record and its bytes to `buffers`. */
  private note(outcome: StoreOutcome, method: number, bytes: Buffer, buffers: Buffer[]): void {
    const { state, aux, key } = outcome;
    if (state !== STORE_HIT && state !== STORE_MISS && state !== STORE_BAD) return;
    this.stats.streams++;
    this.stats.bytes += bytes.length;
    if (state === STORE_HIT) {
      this.used.add(aux);
      this.stats.reused++;
      this.stats.reusedBytes += bytes.length;
      return;
    }
    if (state === STORE_BAD) this.bad.add(aux);
    // The same content twice in one zip (licence files, copies) is kept once.
    const id = Buffer.from(key.buffer, key.byteOffset, key.length).toString("latin1");
    if (this.recorded.has(id) || this.failure) return;
    const stored = method === METHOD_STORED;
    // A pack larger than the whole store would only be evicted at once.
    if (!stored && this.packSize + bytes.length > this.maxBytes) return;
    this.recorded.add(id);
    const crc = stored ? 0 : state === STORE_MISS ? aux : zlib.crc32(bytes);
    const offset = stored ? 0 : this.packSize;
    const record = Buffer.allocUnsafe(RECORD_BYTES);
    writeRecord(record, 0, key, { method, offset, compressedSize: bytes.length, crc });
    this.records.push(record);
    if (stored) return;
    buffers.push(bytes);
    this.packSize += bytes.length;
  }

  private async createPack() {
    const temp = path.join(this.dir, `.tmp-${newName()}.pack`);
    return { handle: await open(temp, "wx"), temp };
  }

  /** What the zip reused, for a log line and the benchmarks. */
  result(): StoreStats {
    return { ...this.stats };
  }

  /**
   * After a zip was written whole: names this build's pack and index, marks
   * the packs it reused as used now, removes those found damaged, and evicts
   * what is over the bounds. Failures are logged, never thrown.
   */
  async commit(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      if (this.records.length > 0) await this.publish();
      const now = new Date();
      for (const pack of this.used) {
        if (this.bad.has(pack)) continue;
        await utimes(packPath(this.dir, this.names[pack]), now, now).catch(() => {});
      }
      for (const pack of this.bad) {
        this.log(
          `lambda-package: zip store: a stream in ${this.names[pack]}.pack failed its check; ` +
            "compressed it again and removed the pack.",
        );
        await removePack(this.dir, this.names[pack]);
      }
      await evict(this.dir, this.maxBytes);
    } catch (error) {
      this.log(
        `lambda-package: zip store ${this.dir} could not be updated (${(error as Error).message}); ` +
          "the zip is not affected.",
      );
    } finally {
      await this.discard();
    }
  }

  /** Drops what this build wrote and did not name (all of it, when the zip failed). */
  async discard(): Promise<void> {
    const pack = this.pack;
    this.pack = undefined;
    if (!pack) return;
    await pack.handle.close().catch(() => {});
    await rm(pack.temp, { force: true }).catch(() => {});
  }

  private async publish(): Promise<void> {
    const name = newName();
    const records = Buffer.concat(this.records);
    const indexTemp = path.join(this.dir, `.tmp-${name}.index`);
    await writeFile(indexTemp, indexFile(records), { flag: "wx" });
    try {
      // Pack first: an index is only ever seen with its pack whole beside it.
      if (this.pack) {
        await this.pack.handle.close();
        await rename(this.pack.temp, packPath(this.dir, name));
        this.pack = undefined;
      } else {
        await writeFile(packPath(this.dir, name), "");
      }
      await rename(indexTemp, path.join(this.dir, `${name}.index`));
    } finally {
      await rm(indexTemp, { force: true });
    }
  }
}

function packPath(dir: string, name: string): string {
  return path.join(dir, `${name}.pack`);
}

/** A name no other build picks, sorting by time: base-36 milliseconds, then randomness. */
function newName(): string {
  return `${Date.now().toString(36).padStart(9, "0")}-${randomBytes(6).toString("hex")}`;
}

/** Index first: once it is gone, no build that lists the store can ask for the pack. */
async function removePack(dir: string, name: string): Promise<void> {
  await rm(path.join(dir, `${name}.index`), { force: true });
  await rm(packPath(dir, name), { force: true });
}

/**
 * Keeps the most recently used packs within `maxBytes` and MAX_PACKS and
 * removes the rest, with packs left without an index and temporary files
 * of builds that died.
 */
async function evict(dir: string, maxBytes: number): Promise<void> {
  const names = await readdir(dir);
  const indexed = new Set(names.filter((n) => n.endsWith(".index")).map((n) => n.slice(0, -6)));
  const packs: { name: string; size: number; used: number }[] = [];
  const now = Date.now();
  for (const file of names) {
    const info = await stat(path.join(dir, file)).catch(() => undefined);
    if (!info) continue;
    if (file.startsWith(".tmp-")) {
      if (now - info.mtimeMs > STALE_TEMP_MS) await rm(path.join(dir, file), { force: true });
    } else if (file.endsWith(".pack")) {
      const name = file.slice(0, -5);
      // A pack is renamed before its index: one without is being published, or was orphaned.
      if (indexed.has(name)) packs.push({ name, size: info.size, used: info.mtimeMs });
      else if (now - info.mtimeMs > STALE_TEMP_MS) await rm(path.join(dir, file), { force: true });
    }
  }
  packs.sort((a, b) => b.used - a.used || (a.name < b.name ? 1 : -1));
  let total = 0;
  for (const [i, pack] of packs.entries()) {
    total += pack.size;
    if (i >= MAX_PACKS || total > maxBytes) await removePack(dir, pack.name);
  }
}
