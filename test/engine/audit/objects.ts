/**
 * Native objects for the audit's tests. ELF objects are compiled here, by
 * real compilers (Debian's gcc, gcc-aarch64-linux-gnu and musl-tools, which
 * scripts/setup.sh installs), so the parser meets what linkers write; Mach-O
 * and PE headers are crafted as bytes, since no compiler here makes them.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { run } from "../../support/run";
import { tempDir } from "../../support/tmp";

/** Paths of compiled objects, each small and built once per test process. */
export interface Compiled {
  /** x86_64 shared object calling puts: needs GLIBC_2.2.5 only. */
  readonly plain: string;
  /** x86_64 shared object calling pthread_create, which links as GLIBC_2.34 on glibc >= 2.34. */
  readonly glibc234: string;
  /** x86_64 shared object calling arc4random, new in glibc 2.36. */
  readonly glibc236: string;
  /** aarch64 shared object calling puts: GLIBC_2.17, the aarch64 baseline. */
  readonly arm64: string;
  /** x86_64 executable linked against musl: interpreter /lib/ld-musl-x86_64.so.1. */
  readonly muslExecutable: string;
  /** x86_64 shared object linked against musl: needs musl's libc.so. */
  readonly muslShared: string;
}

const SOURCES = {
  "puts.c": '#include <stdio.h>\nint hello(void) { return puts("hello"); }\n',
  "pthread.c":
    "#include <pthread.h>\nstatic void *run(void *a) { return a; }\n" +
    "int start(void) { pthread_t t; return pthread_create(&t, 0, run, 0); }\n",
  "arc4random.c": "#include <stdlib.h>\nunsigned int draw(void) { return arc4random(); }\n",
  "main.c": '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n',
};

let compiled: Promise<Compiled> | undefined;

/** Compiles the objects the first time it is called. */
export function compiledObjects(): Promise<Compiled> {
  compiled ??= compileAll();
  return compiled;
}

async function compileAll(): Promise<Compiled> {
  const dir = await tempDir("native");
  for (const [name, text] of Object.entries(SOURCES)) await writeFile(path.join(dir, name), text);
  const cc = async (compiler: string, out: string, args: string[]) => {
    const file = path.join(dir, out);
    await run(compiler, [...args, "-o", file], { cwd: dir }).catch((error: Error) => {
      throw new Error(
        `${compiler} failed (${error.message.trim()}). The audit's tests need gcc, ` +
          `gcc-aarch64-linux-gnu and musl-tools: run scripts/setup.sh, which installs them.`,
        { cause: error },
      );
    });
    return file;
  };
  const shared = ["-shared", "-fPIC"];
  const [plain, glibc234, glibc236, arm64, muslExecutable, muslShared] = await Promise.all([
    cc("gcc", "plain.so", [...shared, "puts.c"]),
    cc("gcc", "pthread.so", [...shared, "pthread.c"]),
    cc("gcc", "arc4random.so", [...shared, "arc4random.c"]),
    cc("aarch64-linux-gnu-gcc", "arm64.so", [...shared, "puts.c"]),
    cc("musl-gcc", "musl-main", ["main.c"]),
    cc("musl-gcc", "musl.so", [...shared, "puts.c"]),
  ]);
  return { plain, glibc234, glibc236, arm64, muslExecutable, muslShared };
}

/** Mach-O cputype values. */
export const MACH_X86_64 = 0x01000007;
export const MACH_ARM64 = 0x0100000c;

/** The 32-byte header of a 64-bit little-endian Mach-O dylib for `cputype`, padded to 64 bytes. */
export function machO(cputype: number): Buffer {
  const bytes = Buffer.alloc(64);
  bytes.writeUInt32LE(0xfeedfacf, 0); // MH_MAGIC_64, which reads CF FA ED FE on disk
  bytes.writeUInt32LE(cputype, 4);
  bytes.writeUInt32LE(6, 12); // MH_DYLIB
  return bytes;
}

/** A universal (fat) Mach-O header listing `cputypes`. */
export function universalMachO(cputypes: readonly number[]): Buffer {
  const bytes = Buffer.alloc(Math.max(64, 8 + 20 * cputypes.length));
  bytes.writeUInt32BE(0xcafebabe, 0);
  bytes.writeUInt32BE(cputypes.length, 4);
  cputypes.forEach((cpu, i) => bytes.writeUInt32BE(cpu, 8 + 20 * i));
  return bytes;
}

/** A Java class file's first bytes: the same magic as a universal Mach-O, then version 52. */
export function javaClass(): Buffer {
  return Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, ...Buffer.alloc(56)]);
}

/** A PE image's DOS stub and COFF header: `machine` (0x8664 x86-64), a DLL or an executable. */
export function portableExecutable(machine: number, dll: boolean): Buffer {
  const bytes = Buffer.alloc(0x100);
  bytes.write("MZ", 0, "latin1");
  bytes.writeUInt32LE(0x80, 0x3c); // e_lfanew
  bytes.write("PE\0\0", 0x80, "latin1");
  bytes.writeUInt16LE(machine, 0x84);
  bytes.writeUInt16LE(dll ? 0x2022 : 0x0022, 0x80 + 22); // Characteristics
  return bytes;
}
