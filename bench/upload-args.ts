/** The flags of bench/upload.ts; see its header. */
export interface Options {
  /** Rounds; each uploads once with our tool and once with `aws s3 cp`. @default 5 */
  runs: number;
  /** Where to write the results as JSON. @default none */
  json?: string;
  /** The artifact's size in MiB. @default 256 */
  sizeMb: number;
  /** Our multipart part size in MiB. @default 8 */
  partSizeMb: number;
  /** Our parts in flight at once. @default 4 */
  concurrency: number;
}

export function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 5, sizeMb: 256, partSizeMb: 8, concurrency: 4 };
  const numeric: Record<string, keyof Omit<Options, "json">> = {
    "--runs": "runs",
    "--size-mb": "sizeMb",
    "--part-size-mb": "partSizeMb",
    "--concurrency": "concurrency",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--json") options.json = value;
    else if (numeric[flag] && /^[1-9]\d*$/.test(value)) options[numeric[flag]] = Number(value);
    else throw new Error(`bad flag ${flag} ${value}; see the header of bench/upload.ts`);
  }
  return options;
}
