/**
 * The parts of an ELF object that decide whether Lambda can load it, read
 * the way the dynamic loader reads them: the header (class, byte order,
 * type, machine), the program headers, the interpreter (PT_INTERP), and in
 * the dynamic segment the libraries it needs (DT_NEEDED) and its version
 * needs (DT_VERNEED, which points at `.gnu.version_r`). Only those bytes are
 * read, never the code, and the section headers not at all: the loader does
 * not use them, and stripped objects may lack them.
 */
import type { Architecture } from "../options";
import type { ByteSource } from "./bytes";

export interface ElfInfo {
  readonly bits: 32 | 64;
  /**
   * `executable` (ET_EXEC, or ET_DYN with an interpreter: a position-independent executable),
   * `shared object`, or another type, which the loader never loads.
   */
  readonly type: "executable" | "shared object" | "other";
  /** e_machine. */
  readonly machine: number;
  /** PT_INTERP, for executables linked dynamically. */
  readonly interpreter?: string;
  /** DT_NEEDED: the sonames it links against. */
  readonly needed: readonly string[];
  /** Every symbol version it needs (`.gnu.version_r`), e.g. `GLIBC_2.17`. */
  readonly versionNeeds: readonly string[];
}

/** A structure that points outside the file or the tables, with what it was. */
export class MalformedElf extends Error {
  override readonly name = "MalformedElf";
}

/** e_machine values by name, for what a finding says was found. */
const MACHINES: Readonly<Record<number, string>> = {
  3: "i386",
  8: "MIPS",
  20: "PowerPC",
  21: "PowerPC64",
  22: "s390",
  40: "32-bit ARM",
  62: "x86-64",
  183: "aarch64",
  243: "RISC-V",
  258: "LoongArch",
};

/** The e_machine each Lambda architecture loads; both are 64-bit. */
export const ELF_MACHINE: Readonly<Record<Architecture, number>> = { x86_64: 62, arm64: 183 };

export function machineName(machine: number): string {
  return MACHINES[machine] ?? `e_machine ${machine}`;
}

const ET_EXEC = 2;
const ET_DYN = 3;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

/** Bounds on counts a hostile file could inflate; real objects stay far below them. */
const MAX_PROGRAM_HEADERS = 512;
const MAX_DYNAMIC_ENTRIES = 16384;
const MAX_VERSION_ENTRIES = 4096;
const MAX_NAME = 4096;

/** Reads integers of the object's class and byte order. */
class Fields {
  constructor(
    readonly bits: 32 | 64,
    private readonly little: boolean,
  ) {}

  u16(buffer: Buffer, at: number): number {
    return this.little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at);
  }

  u32(buffer: Buffer, at: number): number {
    return this.little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at);
  }

  /** A 64-bit field; past 2^53 it cannot be an offset into a file this process could read. */
  u64(buffer: Buffer, at: number): number {
    const value = this.little ? buffer.readBigUInt64LE(at) : buffer.readBigUInt64BE(at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedElf(`field at ${at} too large`);
    return Number(value);
  }

  /** A d_tag (signed); the tags read here all fit 32 bits, others come back as -1. */
  tag(buffer: Buffer, at: number): number {
    if (this.bits === 32) return this.little ? buffer.readInt32LE(at) : buffer.readInt32BE(at);
    const value = this.little ? buffer.readBigInt64LE(at) : buffer.readBigInt64BE(at);
    return value >= 0n && value <= 0xffffffffn ? Number(value) : -1;
  }

  /** An address-sized field: Elf32_Addr/Off or Elf64_Addr/Off. */
  word(buffer: Buffer, at: number): number {
    return this.bits === 64 ? this.u64(buffer, at) : this.u32(buffer, at);
  }
}

interface Segment {
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
}

/** Reads exactly `length` bytes at `offset`, or says what was cut short. */
function exactly(source: ByteSource, offset: number, length: number, what: string): Buffer {
  const bytes = source.read(offset, length);
  if (bytes.length < length) {
    throw new MalformedElf(`${what} at ${offset} ends past the end of the file`);
  }
  return bytes;
}

/** Parses what the loader would read; throws `MalformedElf` for what it could not. */
export function readElf(source: ByteSource): ElfInfo {
  const ident = exactly(source, 0, 16, "the ELF identification");
  const bits = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : undefined;
  if (bits === undefined || (ident[5] !== 1 && ident[5] !== 2)) {
    throw new MalformedElf(`unknown ELF class ${ident[4]} or byte order ${ident[5]}`);
  }
  const header = exactly(source, 0, bits === 64 ? 64 : 52, "the ELF header");
  const f = new Fields(bits, header[5] === 1);
  const type = f.u16(header, 16);
  const machine = f.u16(header, 18);
  const phoff = f.word(header, bits === 64 ? 32 : 28);
  const phentsize = f.u16(header, bits === 64 ? 54 : 42);
  const phnum = f.u16(header, bits === 64 ? 56 : 44);
  const info = {
    bits,
    type: type === ET_EXEC ? "executable" : type === ET_DYN ? "shared object" : "other",
    machine,
    needed: [],
    versionNeeds: [],
  } as const;
  // Relocatable objects and core dumps are never loaded: their machine is all there is to say.
  if (info.type === "other" || phnum === 0) return info;
  if (phnum > MAX_PROGRAM_HEADERS || phentsize < (bits === 64 ? 56 : 32)) {
    throw new MalformedElf(`${phnum} program headers of ${phentsize} bytes`);
  }
  const segments = programHeaders(source, f, phoff, phentsize, phnum);
  const interp = segments.find((s) => s.type === PT_INTERP);
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  return {
    ...info,
    type: interp ? "executable" : info.type,
    interpreter: interp && cString(source, interp.offset, interp.filesz, "PT_INTERP"),
    ...(dynamic ? dynamicNeeds(source, f, dynamic, segments) : {}),
  };
}

function programHeaders(
  source: ByteSource,
  f: Fields,
  phoff: number,
  phentsize: number,
  phnum: number,
): Segment[] {
  const table = exactly(source, phoff, phentsize * phnum, "the program header table");
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    segments.push(
      f.bits === 64
        ? {
            type: f.u32(table, at),
            offset: f.u64(table, at + 8),
            vaddr: f.u64(table, at + 16),
            filesz: f.u64(table, at + 32),
          }
        : {
            type: f.u32(table, at),
            offset: f.u32(table, at + 4),
            vaddr: f.u32(table, at + 8),
            filesz: f.u32(table, at + 16),
          },
    );
  }
  return segments;
}

/** DT_NEEDED and the version needs, from the dynamic segment. */
function dynamicNeeds(
  source: ByteSource,
  f: Fields,
  dynamic: Segment,
  segments: readonly Segment[],
): Pick<ElfInfo, "needed" | "versionNeeds"> {
  const entrySize = f.bits === 64 ? 16 : 8;
  const count = Math.min(Math.floor(dynamic.filesz / entrySize), MAX_DYNAMIC_ENTRIES);
  const table = exactly(source, dynamic.offset, count * entrySize, "the dynamic segment");
  const neededAt: number[] = [];
  let strtab: number | undefined;
  let strsz = 0;
  let verneed: number | undefined;
  let verneednum = 0;
  for (let at = 0; at < table.length; at += entrySize) {
    const tag = f.tag(table, at);
    if (tag === DT_NULL) break;
    if (![DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_VERNEED, DT_VERNEEDNUM].includes(tag)) continue;
    const value = f.word(table, at + entrySize / 2);
    if (tag === DT_NEEDED) neededAt.push(value);
    else if (tag === DT_STRTAB) strtab = value;
    else if (tag === DT_STRSZ) strsz = value;
    else if (tag === DT_VERNEED) verneed = value;
    else verneednum = value;
  }
  if (strtab === undefined) return { needed: [], versionNeeds: [] };
  const strings = { offset: fileOffset(segments, strtab, "DT_STRTAB"), size: strsz };
  const name = (index: number) => {
    if (index >= strings.size) throw new MalformedElf(`string ${index} past DT_STRSZ`);
    return cString(source, strings.offset + index, strings.size - index, "a dynamic string");
  };
  return {
    needed: neededAt.map(name),
    versionNeeds:
      verneed === undefined
        ? []
        : versionNeeds(source, f, fileOffset(segments, verneed, "DT_VERNEED"), verneednum, name),
  };
}

/**
 * The names in `.gnu.version_r`: a list of Elf_Verneed (one per library),
 * each with a list of Elf_Vernaux (one per version needed from it). Both
 * have the same layout in 32- and 64-bit objects.
 */
function versionNeeds(
  source: ByteSource,
  f: Fields,
  offset: number,
  count: number,
  name: (index: number) => string,
): string[] {
  const names: string[] = [];
  let entries = 0;
  let at = offset;
  for (let i = 0; i < Math.min(count, MAX_VERSION_ENTRIES); i++) {
    const need = exactly(source, at, 16, "an Elf_Verneed");
    const auxCount = f.u16(need, 2);
    let aux = at + f.u32(need, 8);
    for (let j = 0; j < auxCount; j++) {
      if (++entries > MAX_VERSION_ENTRIES) throw new MalformedElf("too many version needs");
      const entry = exactly(source, aux, 16, "an Elf_Vernaux");
      names.push(name(f.u32(entry, 8)));
      const next = f.u32(entry, 12);
      if (next === 0) break;
      aux += next;
    }
    const next = f.u32(need, 12);
    if (next === 0) break;
    at += next;
  }
  return names;
}

/** The file offset of a virtual address, through the PT_LOAD segment that maps it. */
function fileOffset(segments: readonly Segment[], vaddr: number, what: string): number {
  const load = segments.find(
    (s) => s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz,
  );
  if (!load) throw new MalformedElf(`${what} (0x${vaddr.toString(16)}) is in no loaded segment`);
  return load.offset + (vaddr - load.vaddr);
}

/** A NUL-terminated string within `limit` bytes from `offset`. */
function cString(source: ByteSource, offset: number, limit: number, what: string): string {
  const bytes = source.read(offset, Math.min(limit, MAX_NAME));
  const end = bytes.indexOf(0);
  if (end < 0) throw new MalformedElf(`${what} at ${offset} is not terminated`);
  return bytes.toString("latin1", 0, end);
}
