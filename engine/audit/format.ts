/**
 * Which executable format a file is, from its magic bytes: ELF (what Lambda
 * loads), or Mach-O and PE (macOS and Windows binaries, which a Linux
 * package can only have picked up from a laptop's `node_modules` or venv).
 */
import type { ByteSource } from "./bytes";

export type NativeFormat =
  | { readonly kind: "elf" }
  | { readonly kind: "mach-o"; readonly cpus: readonly string[] }
  | { readonly kind: "pe"; readonly machine: string; readonly dll: boolean };

/** Bytes read first from every candidate file: enough for each format's magic and header. */
export const HEAD_BYTES = 64;

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** Mach-O `cputype` values (mach/machine.h); the 64-bit ones carry CPU_ARCH_ABI64. */
const MACH_CPUS: Readonly<Record<number, string>> = {
  7: "i386",
  0x01000007: "x86_64",
  12: "arm",
  0x0100000c: "arm64",
  0x0200000c: "arm64_32",
  18: "ppc",
  0x01000012: "ppc64",
};

/** PE `Machine` values (IMAGE_FILE_MACHINE_*). */
const PE_MACHINES: Readonly<Record<number, string>> = {
  0x014c: "i386",
  0x8664: "x86-64",
  0xaa64: "arm64",
  0x01c4: "arm",
};

/** IMAGE_FILE_DLL in the COFF header's Characteristics. */
const PE_DLL = 0x2000;

/** The format of the file `source` reads, or undefined when it is none of the three. */
export function detectFormat(source: ByteSource): NativeFormat | undefined {
  const head = source.read(0, HEAD_BYTES);
  if (head.length < 8) return undefined;
  if (head.subarray(0, 4).equals(ELF_MAGIC)) return { kind: "elf" };
  const magic = head.readUInt32BE(0);
  if (magic === 0xfeedface || magic === 0xfeedfacf) {
    return { kind: "mach-o", cpus: [machCpu(head.readUInt32BE(4))] };
  }
  if (magic === 0xcefaedfe || magic === 0xcffaedfe) {
    return { kind: "mach-o", cpus: [machCpu(head.readUInt32LE(4))] };
  }
  if (magic === 0xcafebabe || magic === 0xcafebabf) return universal(source, magic);
  if (head[0] === 0x4d && head[1] === 0x5a && head.length >= 0x40) return portable(source, head);
  return undefined;
}

/** `Mach-O (macOS) binary, arm64`, `PE (Windows) DLL, x86-64`: what a finding says was found. */
export function describeFormat(format: NativeFormat): string {
  switch (format.kind) {
    case "elf":
      return "ELF object";
    case "mach-o":
      return `Mach-O (macOS) binary, ${format.cpus.join(" + ")}`;
    case "pe":
      return `PE (Windows) ${format.dll ? "DLL" : "executable"}, ${format.machine}`;
  }
}

function machCpu(cputype: number): string {
  return MACH_CPUS[cputype] ?? `cputype ${cputype}`;
}

/**
 * A universal (fat) Mach-O, or a Java class file: both begin 0xCAFEBABE. A
 * class file has its version there next (major 45 or more), a universal
 * binary its count of architectures, which is small.
 */
function universal(source: ByteSource, magic: number): NativeFormat | undefined {
  const count = source.read(4, 4).readUInt32BE(0);
  if (count === 0 || count >= 45) return undefined;
  const entrySize = magic === 0xcafebabf ? 32 : 20;
  const table = source.read(8, count * entrySize);
  const cpus: string[] = [];
  for (let at = 0; at + 4 <= table.length; at += entrySize)
    cpus.push(machCpu(table.readUInt32BE(at)));
  return { kind: "mach-o", cpus };
}

/** "MZ" is only a DOS stub; a PE image has "PE\0\0" where the stub's e_lfanew points. */
function portable(source: ByteSource, head: Buffer): NativeFormat | undefined {
  const at = head.readUInt32LE(0x3c);
  const header = source.read(at, 24);
  if (header.length < 24 || header.readUInt32BE(0) !== 0x50450000) return undefined;
  const machine = header.readUInt16LE(4);
  return {
    kind: "pe",
    machine: PE_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`,
    dll: (header.readUInt16LE(22) & PE_DLL) !== 0,
  };
}
