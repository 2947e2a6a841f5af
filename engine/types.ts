/** Public types of the packaging engine. */

/** Lambda instruction set architectures, as Lambda names them. */
export type Architecture = "x86_64" | "arm64";

/** How the python packagers install the project. */
export type PythonMode = "requirements" | "package";

/** Progress of a long build, reported while files are compressed. */
export interface BuildProgress {
  readonly phase: "packaging" | "zipping";
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface BuildOptions {
  /** Directory holding the code to package. Must exist and hold at least one file. */
  readonly sourcePath: string;
  /** Packager name, usually a Lambda runtime such as `python3.12`, `nodejs22.x`, `generic`, `copy`. */
  readonly runtime?: string;
  /** Path of a packager script to run instead of looking one up by `runtime`. */
  readonly packager?: string;
  /** Directory searched for `<runtime>` before the built-in packagers. */
  readonly packagersDir?: string;
  /** Where to write the zip. @default a file in a fresh temporary directory */
  readonly outFile?: string;
  /** Gitignore-style patterns, matched against paths inside the package. */
  readonly exclude?: readonly string[];
  /** Deflate level 0-9 (0 stores). @default 9 */
  readonly compressionLevel?: number;
  /** Target architecture; packagers that install native code pick matching wheels. */
  readonly architecture?: Architecture;
  /** Lay files out as a Lambda layer (`python/`, `nodejs/node_modules/`). @default false */
  readonly layer?: boolean;
  /** Python packagers: install `requirements.txt` (default) or the project itself with `--no-deps`. */
  readonly pythonMode?: PythonMode;
  /** Extra environment variables for the packager. */
  readonly env?: Readonly<Record<string, string>>;
  /** Pass credential-like variables (AWS keys, tokens, passwords) to the packager. @default false */
  readonly inheritCredentials?: boolean;
  /** Timestamp of every entry, seconds since the epoch. @default $SOURCE_DATE_EPOCH, else 1980-01-01 */
  readonly sourceDateEpoch?: number;
  /** Called as files are compressed. */
  readonly onProgress?: (progress: BuildProgress) => void;
  /** Receives the packager's output lines and the engine's own notes. */
  readonly log?: (line: string) => void;
}

export interface BuildResult {
  /** Absolute path of the zip. */
  readonly path: string;
  /** SHA-256 of the zip, hex. */
  readonly sha256: string;
  /** SHA-256 of the zip, base64: what Lambda reports as `CodeSha256`. */
  readonly sourceCodeHash: string;
  /** Size of the zip in bytes. */
  readonly size: number;
  /** Sum of the sizes of the files in the zip. */
  readonly unzippedSize: number;
  /** Number of files in the zip. */
  readonly fileCount: number;
}
