/**
 * One audit's tally, whatever holds the files (a staged tree, a directory,
 * a zip): which to open, what each one was, and the report at the end.
 */
import type { ByteSource } from "./bytes";
import { inspect, type Problem } from "./inspect";
import { Origins } from "./origin";
import type { AuditTarget } from "./runtimes";
import { isCandidate, platformAlternate } from "./select";

/** A file that will not load on Lambda. */
export interface AuditFinding {
  /** Path inside the package. */
  readonly name: string;
  /** The package it came from, where the path tells: `npm package sharp`. */
  readonly origin?: string;
  readonly problems: readonly Problem[];
}

/** What an audit saw and found. */
export interface AuditReport {
  readonly target: AuditTarget;
  /** Files in the package. */
  readonly files: number;
  /** Files opened to read their magic bytes: executables and native-looking names. */
  readonly opened: number;
  /** ELF, Mach-O and PE files among them. */
  readonly native: number;
  /** Native files under `prebuilds/` for another platform, which are never loaded there. */
  readonly alternates: number;
  /** ELF files whose tables could not be read, with why; reported, not failed. */
  readonly unreadable: readonly { readonly name: string; readonly reason: string }[];
  readonly findings: readonly AuditFinding[];
  /** Wall time of the audit, milliseconds. */
  readonly ms: number;
}

export class Auditor {
  private readonly started = performance.now();
  private readonly names: string[] = [];
  private opened = 0;
  private native = 0;
  private alternates = 0;
  private readonly unreadable: { name: string; reason: string }[] = [];
  private readonly found: { name: string; problems: readonly Problem[] }[] = [];

  constructor(readonly target: AuditTarget) {}

  /** Counts a file of the package; true when it is to be inspected. */
  wants(name: string, executable: boolean): boolean {
    this.names.push(name);
    return isCandidate(name, executable);
  }

  /** Inspects a file `wants` asked for. */
  inspect(name: string, source: ByteSource): void {
    this.opened++;
    const result = inspect(source, this.target);
    if (!result.format) return;
    if (platformAlternate(name, this.target.architecture)) {
      this.alternates++;
      return;
    }
    this.native++;
    if (result.unreadable) this.unreadable.push({ name, reason: result.unreadable });
    if (result.problems.length > 0) this.found.push({ name, problems: result.problems });
  }

  /** A candidate that could not be opened at all. */
  failed(name: string, reason: string): void {
    this.opened++;
    this.unreadable.push({ name, reason });
  }

  report(): AuditReport {
    // Origins need every name, so they are worked out only when something was found.
    const origins = this.found.length > 0 ? new Origins(this.names) : undefined;
    return {
      target: this.target,
      files: this.names.length,
      opened: this.opened,
      native: this.native,
      alternates: this.alternates,
      unreadable: this.unreadable,
      findings: this.found.map((f) => ({ ...f, origin: origins?.of(f.name) })),
      ms: performance.now() - this.started,
    };
  }
}
