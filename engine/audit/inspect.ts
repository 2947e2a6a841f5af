/**
 * One file against the target: what in it would stop Lambda from loading it.
 */
import type { ByteSource } from "./bytes";
import { MalformedElf, ELF_MACHINE, machineName, readElf, type ElfInfo } from "./elf";
import { describeFormat, detectFormat, type NativeFormat } from "./format";
import { compareGlibc, highestGlibc, parseGlibc } from "./glibc";
import type { AuditTarget } from "./runtimes";

/** What kind of problem a file has, for the advice that fits it. */
export type ProblemKind = "architecture" | "glibc" | "musl" | "foreign";

/** One reason a file will not load: what was found, and what the target allows. */
export interface Problem {
  readonly kind: ProblemKind;
  readonly found: string;
  readonly allowed: string;
}

export interface Inspection {
  /** The file's executable format; undefined when it has none (a script, a data file). */
  readonly format?: NativeFormat["kind"];
  readonly problems: readonly Problem[];
  /** Why an ELF file could not be read past its magic bytes, when it could not. */
  readonly unreadable?: string;
}

/**
 * Musl's dynamic loader, and musl's C library by soname: `libc.musl-<arch>`
 * on Alpine, plain `libc.so` where musl-gcc links (glibc's is `libc.so.6`).
 */
const MUSL_INTERPRETER = /(^|\/)ld-musl-[^/]*$/;
const MUSL_LIBC = /^(libc\.musl-.*|libc\.so)$/;

export function inspect(source: ByteSource, target: AuditTarget): Inspection {
  const format = detectFormat(source);
  if (!format) return { problems: [] };
  if (format.kind !== "elf") {
    return {
      format: format.kind,
      problems: [
        {
          kind: "foreign",
          found: describeFormat(format),
          allowed: "Lambda loads Linux ELF objects only",
        },
      ],
    };
  }
  let elf: ElfInfo;
  try {
    elf = readElf(source);
  } catch (error) {
    if (!(error instanceof MalformedElf)) throw error;
    return { format: "elf", problems: [], unreadable: error.message };
  }
  return { format: "elf", problems: elfProblems(elf, target) };
}

function elfProblems(elf: ElfInfo, target: AuditTarget): Problem[] {
  // Relocatable objects (.o) and core dumps are never loaded, so nothing in them matters.
  if (elf.type === "other") return [];
  const problems: Problem[] = [];
  if (elf.machine !== ELF_MACHINE[target.architecture] || elf.bits !== 64) {
    const width = elf.bits === 32 ? " 32-bit" : "";
    problems.push({
      kind: "architecture",
      found: `${machineName(elf.machine)}${width} ${elf.type}`,
      allowed: `the function runs on ${target.architecture}`,
    });
  }
  const musl = muslEvidence(elf);
  if (musl) {
    problems.push({
      kind: "musl",
      found: `musl-linked (${musl})`,
      allowed: "Lambda's runtimes have glibc, not musl",
    });
  }
  const glibc = highestGlibc(elf.versionNeeds);
  if (glibc && target.os && compareGlibc(glibc.version, parseGlibc(target.os.glibc)) > 0) {
    const version = glibc.version.join(".");
    // A marker such as GLIBC_ABI_DT_RELR says its version in brackets.
    const label =
      glibc.name === `GLIBC_${version}` ? glibc.name : `${glibc.name} (glibc ${version})`;
    problems.push({
      kind: "glibc",
      found: `needs ${label} > ${target.os.glibc}`,
      allowed: `${target.runtime} runs on ${target.os.name}, glibc ${target.os.glibc}`,
    });
  }
  return problems;
}

function muslEvidence(elf: ElfInfo): string | undefined {
  if (elf.interpreter && MUSL_INTERPRETER.test(elf.interpreter)) {
    return `interpreter ${elf.interpreter}`;
  }
  const libc = elf.needed.find((name) => MUSL_LIBC.test(name));
  return libc && `needs ${libc}`;
}
