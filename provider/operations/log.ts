/**
 * Where the provider's lines go. In `pulumi up`, the dynamic provider's own
 * process has the engine's address as its first argument, and the resource's
 * URN comes in as the input `__urn` (the provider is not told it otherwise):
 * lines then go to the engine's Log service under that URN, so they show on
 * the resource's own row. Progress is ephemeral (the row shows it while the
 * operation runs; it is not kept in the final diagnostics), warnings and one
 * result line per operation are kept, and when an operation fails every line
 * it wrote is kept, as one message, beside the error. Without an engine (tests,
 * the CLI) or a URN, each line goes to stderr with a prefix naming the object,
 * as before, which the Pulumi CLI shows under the stack's row.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { engineLog, type Severity } from "./engine-log";

/** A resource's row for the length of one operation. */
interface Row {
  readonly urn: string;
  readonly send: (severity: Severity, message: string, ephemeral: boolean) => void;
  /** Every line written so far, for the report of a failure. */
  readonly lines: string[];
}

const ROWS = new AsyncLocalStorage<Row>();

/** A progress line; a line beginning "warning:" is kept as a warning. */
export function logger(label: string): (line: string) => void {
  return (line) => {
    const row = ROWS.getStore();
    if (!row) {
      process.stderr.write(`[lambda-package ${label}] ${line}\n`);
      return;
    }
    row.lines.push(line);
    if (line.startsWith("warning:")) row.send("warning", line, false);
    else row.send("info", line, true);
  };
}

/** The one line an operation leaves behind when it succeeds. */
export function logResult(label: string, line: string): void {
  const row = ROWS.getStore();
  if (!row) process.stderr.write(`[lambda-package ${label}] ${line}\n`);
  else row.send("info", line, false);
}

/**
 * Runs `operation` with its lines on the row of `urn`, when the engine can be
 * reached; on failure, the lines written so far are kept as one message.
 */
export async function onResourceRow<T>(urn: unknown, operation: () => Promise<T>): Promise<T> {
  if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:")) return operation();
  const engine = engineLog();
  if (!engine) return operation();
  const row: Row = {
    urn,
    lines: [],
    send: (severity, message, ephemeral) => engine.send(severity, message, urn, ephemeral),
  };
  try {
    return await ROWS.run(row, operation);
  } catch (error) {
    if (row.lines.length > 0)
      engine.send("info", `what it logged before it failed:\n${row.lines.join("\n")}`, urn, false);
    throw error;
  } finally {
    await engine.flushed(urn);
  }
}

export function seconds(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
}
