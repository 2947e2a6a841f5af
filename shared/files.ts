/** Reading files that may be absent, where absence is an answer rather than an error. */
import { readFileSync } from "node:fs";

/** The file's text, or undefined when there is no such file; any other failure is thrown. */
export function readTextIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
