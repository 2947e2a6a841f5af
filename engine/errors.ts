/**
 * The one error type the engine throws for problems a user can fix. The
 * message always names the field or path, says what was wrong and what to do;
 * `code` lets callers (the CLI, the provider) map it without parsing text.
 */
export class LambdaPackageError extends Error {
  override readonly name = "LambdaPackageError";

  constructor(
    /** Stable machine-readable code, e.g. `SOURCE_MISSING`, `PACKAGER_FAILED`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Joins the last `count` lines of `text`, for packager stderr tails. */
export function tailLines(text: string, count: number): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  return lines.slice(-count).join("\n");
}
