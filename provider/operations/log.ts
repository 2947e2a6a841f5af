/**
 * The provider's stdout and stderr are shown by the Pulumi CLI; one prefixed
 * line per event keeps concurrent resources readable.
 */
export function logger(label: string): (line: string) => void {
  return (line) => process.stderr.write(`[lambda-package ${label}] ${line}\n`);
}

export function seconds(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
}
