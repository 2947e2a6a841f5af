import { formatBytes } from "../shared/format";
import type { BuildProgress } from "../engine/options";

/**
 * A one-line progress meter on a terminal; silent when stderr is not a TTY or
 * CI is set, so CI logs get the result and not hundreds of redraws.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const enabled = stream.isTTY === true && !process.env.CI;
  let drawn = false;
  // Arrow functions: `update` is handed over as a callback on its own.
  return {
    update: (p: BuildProgress): void => {
      if (!enabled) return;
      const text =
        p.phase === "packaging"
          ? "packaging..."
          : `zipping ${p.files}/${p.totalFiles} files, ` +
            `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`;
      stream.write(`\r\x1b[2K${text}`);
      drawn = true;
    },
    done: (): void => {
      if (drawn) stream.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
