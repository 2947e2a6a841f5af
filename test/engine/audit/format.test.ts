import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { bufferSource } from "../../../engine/audit/bytes";
import { describeFormat, detectFormat } from "../../../engine/audit/format";
import {
  compiledObjects,
  javaClass,
  MACH_ARM64,
  MACH_X86_64,
  machO,
  portableExecutable,
  universalMachO,
} from "./objects";

const detect = (bytes: Buffer) => detectFormat(bufferSource(bytes));

describe("format detection by magic bytes", () => {
  test("a compiled shared object is ELF", async () => {
    const { plain } = await compiledObjects();
    assert.deepEqual(detect(await readFile(plain)), { kind: "elf" });
  });

  test("a thin Mach-O is named with its CPU, in either byte order", () => {
    assert.equal(describeFormat(detect(machO(MACH_ARM64))!), "Mach-O (macOS) binary, arm64");
    const bigEndian = Buffer.alloc(64);
    bigEndian.writeUInt32BE(0xfeedfacf, 0);
    bigEndian.writeUInt32BE(MACH_X86_64, 4);
    assert.equal(describeFormat(detect(bigEndian)!), "Mach-O (macOS) binary, x86_64");
  });

  test("a universal Mach-O lists every architecture it holds", () => {
    const found = detect(universalMachO([MACH_X86_64, MACH_ARM64]));
    assert.equal(describeFormat(found!), "Mach-O (macOS) binary, x86_64 + arm64");
  });

  test("a Java class file, which shares the universal magic, is not native code", () => {
    assert.equal(detect(javaClass()), undefined);
  });

  test("a PE image is told apart as a DLL or an executable, with its machine", () => {
    assert.equal(
      describeFormat(detect(portableExecutable(0x8664, true))!),
      "PE (Windows) DLL, x86-64",
    );
    assert.equal(
      describeFormat(detect(portableExecutable(0x14c, false))!),
      "PE (Windows) executable, i386",
    );
  });

  test('"MZ" without a PE header where e_lfanew points is no PE', () => {
    const stub = portableExecutable(0x8664, true);
    stub.write("NE", 0x80, "latin1");
    assert.equal(detect(stub), undefined);
  });

  test("scripts, text and files shorter than a header are not native", () => {
    assert.equal(detect(Buffer.from("#!/bin/sh\necho hello from a script\n")), undefined);
    assert.equal(detect(Buffer.from("\x7fELF")), undefined);
    assert.equal(detect(Buffer.alloc(0)), undefined);
  });
});
