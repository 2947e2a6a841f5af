import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { bufferSource, FileSource } from "../../../engine/audit/bytes";
import { ELF_MACHINE, MalformedElf, readElf } from "../../../engine/audit/elf";
import { compiledObjects } from "./objects";

const PT_DYNAMIC = 2;

/** An ELF header alone: class, byte order, type and machine, no program headers. */
function header(bits: 32 | 64, little: boolean, type: number, machine: number): Buffer {
  const bytes = Buffer.alloc(64);
  bytes.write("\x7fELF", 0, "latin1");
  bytes[4] = bits === 64 ? 2 : 1;
  bytes[5] = little ? 1 : 2;
  bytes[6] = 1;
  const u16 = (value: number, at: number) =>
    little ? bytes.writeUInt16LE(value, at) : bytes.writeUInt16BE(value, at);
  u16(type, 16);
  u16(machine, 18);
  return bytes;
}

describe("reading an ELF object's headers and version needs", () => {
  test("an x86_64 shared object: its machine, libc and the GLIBC versions it needs", async () => {
    const { plain, glibc236 } = await compiledObjects();
    const info = FileSource.with(plain, readElf);
    assert.equal(info.bits, 64);
    assert.equal(info.type, "shared object");
    assert.equal(info.machine, ELF_MACHINE.x86_64);
    assert.ok(info.needed.includes("libc.so.6"), info.needed.join());
    assert.deepEqual(info.versionNeeds, ["GLIBC_2.2.5"]);
    const newer = FileSource.with(glibc236, readElf);
    assert.ok(newer.versionNeeds.includes("GLIBC_2.36"), newer.versionNeeds.join());
  });

  test("an aarch64 object has aarch64's machine number and glibc baseline", async () => {
    const info = FileSource.with((await compiledObjects()).arm64, readElf);
    assert.equal(info.machine, ELF_MACHINE.arm64);
    assert.deepEqual(info.versionNeeds, ["GLIBC_2.17"]);
  });

  test("musl objects show musl's loader or musl's libc, and no glibc versions", async () => {
    const { muslExecutable, muslShared } = await compiledObjects();
    const executable = FileSource.with(muslExecutable, readElf);
    assert.equal(executable.type, "executable");
    assert.equal(executable.interpreter, "/lib/ld-musl-x86_64.so.1");
    assert.deepEqual(executable.versionNeeds, []);
    assert.deepEqual(FileSource.with(muslShared, readElf).needed, ["libc.so"]);
  });

  test("32-bit and big-endian headers are read in their own class and byte order", () => {
    const powerpc = readElf(bufferSource(header(32, false, 2, 20)));
    assert.deepEqual(
      { bits: powerpc.bits, type: powerpc.type, machine: powerpc.machine },
      { bits: 32, type: "executable", machine: 20 },
    );
  });

  test("a relocatable object is read no further than its header: it is never loaded", () => {
    const info = readElf(bufferSource(header(64, true, 1, 62)));
    assert.equal(info.type, "other");
    assert.deepEqual(info.needed, []);
  });

  test("a truncated object is malformed, saying which table ends past the file", async () => {
    const bytes = await readFile((await compiledObjects()).plain);
    assert.throws(
      () => readElf(bufferSource(bytes.subarray(0, 100))),
      (error: Error) =>
        error instanceof MalformedElf && /program header table .* past the end/.test(error.message),
    );
  });

  test("a dynamic segment that points past the file is malformed, not a crash", async () => {
    const bytes = Buffer.from(await readFile((await compiledObjects()).plain));
    const phoff = Number(bytes.readBigUInt64LE(32));
    const phnum = bytes.readUInt16LE(56);
    let patched = false;
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * 56;
      if (bytes.readUInt32LE(at) !== PT_DYNAMIC) continue;
      bytes.writeBigUInt64LE(BigInt(bytes.length + 4096), at + 8); // p_offset
      patched = true;
    }
    assert.ok(patched, "the compiled object has a PT_DYNAMIC");
    assert.throws(
      () => readElf(bufferSource(bytes)),
      (error: Error) => error instanceof MalformedElf && /dynamic segment/.test(error.message),
    );
  });
});
