/**
 * What a packager prints, as the engine relays it: each line to the build's
 * log with secrets masked, and the last lines kept for the message of a
 * failure. The same for a packager run as a script (run.ts) and for the
 * built-in nodejs packagers' work run in the engine's process (in-process.ts).
 */
import { isCredentialName } from "../../shared/credentials";
import { LambdaPackageError } from "../../shared/errors";

/** How many lines of the packager's output (stdout and stderr) a failure message quotes. */
export const STDERR_TAIL_LINES = 40;

/** Masking short values would blank out ordinary words ("dev", "1"). */
const MIN_SECRET_LENGTH = 4;

/** Where a packager's lines go. */
export interface PackagerOutput {
  /** Relays one line, masked, and keeps it for `tail`. */
  readonly line: (line: string) => void;
  /** Relays one line of the engine's own, masked, without keeping it. */
  readonly note: (line: string) => void;
  /** The last `STDERR_TAIL_LINES` lines, masked, oldest first. */
  readonly tail: readonly string[];
}

/**
 * The output of a packager given `env`: `secrets` and the values of the
 * credential-like variables of `env` are masked as `***`.
 */
export function packagerOutput(
  env: Record<string, string>,
  secrets: readonly string[] | undefined,
  relay: ((line: string) => void) | undefined,
): PackagerOutput {
  const mask = masker([...(secrets ?? []), ...credentialValues(env)]);
  const tail: string[] = [];
  const send = relay ?? (() => {});
  return {
    line: (line) => {
      const masked = mask(line);
      send(masked);
      tail.push(masked);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
    },
    note: (line) => send(mask(line)),
    tail,
  };
}

/** Replaces every occurrence of the secrets in a line with `***`, longest first. */
function masker(secrets: readonly string[]): (line: string) => string {
  const values = [...new Set(secrets)]
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (line) => line;
  return (line) => values.reduce((text, value) => text.split(value).join("***"), line);
}

/** The values of the credential-like variables the packager was given. */
function credentialValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([name]) => isCredentialName(name))
    .map(([, value]) => value);
}

/** The packager's last lines, for a failure message. */
export function stderrTail(tail: readonly string[]): string {
  return tail.length
    ? `Last ${tail.length} line(s) of its output:\n${tail.join("\n")}`
    : "It printed nothing.";
}

/** A packager ran past `packagerTimeout`. */
export function packagerTimeout(
  where: { readonly script: string; readonly sourcePath: string },
  seconds: number,
  tail: readonly string[],
): LambdaPackageError {
  return new LambdaPackageError(
    "PACKAGER_TIMEOUT",
    `Packager ${where.script} (cwd ${where.sourcePath}) ran longer than packagerTimeout ` +
      `(${seconds} s) and was stopped with its child processes. Raise packagerTimeout if the build ` +
      `really takes this long, or look for a step waiting on input or the network. ${stderrTail(tail)}`,
  );
}
