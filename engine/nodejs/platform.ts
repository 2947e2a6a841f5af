/** Lambda's platform as Node.js package managers name it in `os`, `cpu` and `libc`. */
import type { Architecture } from "../options";

/** Lambda's CPU names, as npm, pnpm and yarn spell them. */
export const CPU: Record<Architecture, string> = { x86_64: "x64", arm64: "arm64" };
