/** Helpers for the zipper's tests: trees on disk and the real unzip, zipinfo and Python. */
import { chmod, mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ZipEntry } from "../../../engine/zip";
import {
  centralHeaderLength,
  dosDateTime,
  endRecords,
  localHeaderLength,
  writeCentralHeader,
  writeLocalHeader,
  type EntryRecord,
} from "../../../engine/zip/format";
import { python, run } from "../../support/run";

/** Writes `files` under `root`; names ending in ".sh" get `execMode`, the rest `fileMode`. */
export async function makeTree(
  root: string,
  files: Record<string, string | Buffer>,
  modes: { fileMode: number; execMode: number; mtime: number } = {
    fileMode: 0o644,
    execMode: 0o755,
    mtime: 1_600_000_000,
  },
): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    await chmod(file, name.endsWith(".sh") ? modes.execMode : modes.fileMode);
    await utimes(file, modes.mtime, modes.mtime);
  }
}

/** The files under `root` as the engine hands them to writeZip (executable from the owner x bit). */
export async function entriesOf(root: string, prefix = ""): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for (const name of await readdir(path.join(root, prefix))) {
    const file = path.join(root, prefix, name);
    const info = await stat(file);
    if (info.isDirectory()) entries.push(...(await entriesOf(root, `${prefix}${name}/`)));
    else {
      const executable = (info.mode & 0o100) !== 0;
      entries.push({ name: prefix + name, sourceFile: file, size: info.size, executable });
    }
  }
  return entries;
}

/** Runs Info-ZIP `unzip -t`; rejects unless it reports no errors. */
export async function unzipTest(zip: string): Promise<void> {
  const out = await run("unzip", ["-t", zip]);
  if (!out.includes("No errors detected")) throw new Error(`unzip -t ${zip}:\n${out}`);
}

/** Entry names as `unzip -Z1` lists them, in zip order. */
export async function unzipNames(zip: string): Promise<string[]> {
  return (await run("unzip", ["-Z1", zip])).split("\n").filter((line) => line !== "");
}

/** name -> { mode string, method } from `zipinfo`. */
export async function zipinfo(zip: string): Promise<Map<string, { mode: string; method: string }>> {
  const lines = (await run("zipinfo", [zip])).split("\n");
  const entries = new Map<string, { mode: string; method: string }>();
  for (const line of lines) {
    // -rw-r--r--  4.5 unx     3792 b- defN 80-Jan-01 00:00 name
    const m = /^([-dlrwx]{10})\s+\S+\s+\S+\s+\d+\s+\S+\s+(\S+)\s+\S+\s+\S+\s(.*)$/.exec(line);
    if (m) entries.set(m[3], { mode: m[1], method: m[2] });
  }
  return entries;
}

/** Python's zipfile: the first bad entry from testzip() (null when all good) and the names. */
export async function pythonRead(zip: string): Promise<{ bad: string | null; names: string[] }> {
  const script =
    "import json, sys, zipfile\n" +
    "z = zipfile.ZipFile(sys.argv[1])\n" +
    "print(json.dumps({'bad': z.testzip(), 'names': z.namelist()}))";
  return JSON.parse(await python(script, zip)) as { bad: string | null; names: string[] };
}

/**
 * Offsets of every local header and central directory header, found by
 * walking the central directory from the end record (classic or zip64).
 */
export function headerOffsets(zip: Buffer): { local: number[]; central: number[] } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (at === 0xffffffff || count === 0xffff) {
    const record = Number(zip.readBigUInt64LE(eocd - 20 + 8));
    count = Number(zip.readBigUInt64LE(record + 32));
    at = Number(zip.readBigUInt64LE(record + 48));
  }
  const local: number[] = [];
  const central: number[] = [];
  for (let i = 0; i < count; i++) {
    central.push(at);
    local.push(zip.readUInt32LE(at + 42));
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return { local, central };
}

/**
 * A zip of headers only whose sizes and offsets are past 4 GiB, so its zip64 fields are checked
 * without 4 GiB of disk: `huge.bin` (5e9 bytes, stored, CRC 7) and `far.txt` (5 bytes deflated to 3,
 * executable, CRC 9, at offset 6e9). Readers of the central directory never read entry data.
 */
export function headersOnlyZip64(): Buffer {
  const dos = dosDateTime(0);
  const records: EntryRecord[] = [
    {
      name: Buffer.from("huge.bin"),
      executable: false,
      method: 0,
      crc: 7,
      compressedSize: 5e9,
      size: 5e9,
      offset: 0,
    },
    {
      name: Buffer.from("far.txt"),
      executable: true,
      method: 8,
      crc: 9,
      compressedSize: 3,
      size: 5,
      offset: 6e9,
    },
  ];
  const local = Buffer.alloc(localHeaderLength(records[0].name, records[0].size));
  writeLocalHeader(local, 0, records[0], dos);
  const central = Buffer.alloc(records.reduce((sum, r) => sum + centralHeaderLength(r), 0));
  let at = 0;
  for (const r of records) at += writeCentralHeader(central, at, r, dos);
  return Buffer.concat([local, central, endRecords(2, central.length, local.length)]);
}
