/**
 * Source maps (version 3) narrowed to some of their sources: esbuild maps
 * every file it bundles, `node_modules` included, and has no option to leave
 * some out. Dropping a source means rewriting `mappings`, whose segments are
 * Base64 VLQ deltas against the previous segment; a segment of a dropped
 * source becomes an unmapped one (its generated column alone), so the mapping
 * before it does not stretch over code that is not its own.
 */

/** The fields of a source map this module reads and writes. */
export interface SourceMap {
  readonly version: number;
  readonly sources: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
  readonly mappings: string;
  readonly names: readonly string[];
  readonly [other: string]: unknown;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The numbers of one segment, each a Base64 VLQ. */
function decodeSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`"${char}" is not Base64 in a source map's mappings`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encode(value: number): string {
  let rest = value < 0 ? -value * 2 + 1 : value * 2;
  let text = "";
  do {
    let digit = rest % 32;
    rest = Math.floor(rest / 32);
    if (rest > 0) digit |= 32;
    text += BASE64[digit];
  } while (rest > 0);
  return text;
}

/**
 * `map` with only the sources `keep` accepts: their contents and the names
 * their segments use stay, renumbered; the rest of the generated code is
 * unmapped. The order of what stays is kept, so the result is as
 * reproducible as the input.
 */
export function keepSources(map: SourceMap, keep: (source: string) => boolean): SourceMap {
  const sourceIndex = map.sources.map(() => -1);
  const sources: string[] = [];
  const contents: (string | null)[] = [];
  map.sources.forEach((source, i) => {
    if (!keep(source)) return;
    sourceIndex[i] = sources.length;
    sources.push(source);
    contents.push(map.sourcesContent?.[i] ?? null);
  });
  const nameIndex = new Map<number, number>();
  const names: string[] = [];
  // What the deltas are against: decoded (absolute) in, re-encoded out.
  const input = { source: 0, line: 0, column: 0, name: 0 };
  const output = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(";").map((line) => {
    let generated = 0;
    let previousGenerated = 0;
    let lastMapped = false;
    const segments: string[] = [];
    for (const text of line.split(",")) {
      if (text === "") continue;
      const fields = decodeSegment(text);
      generated += fields[0];
      let mapped: string | undefined;
      if (fields.length >= 4) {
        input.source += fields[1];
        input.line += fields[2];
        input.column += fields[3];
        if (fields.length >= 5) input.name += fields[4];
        const source = sourceIndex[input.source];
        if (source >= 0) {
          mapped =
            encode(source - output.source) +
            encode(input.line - output.line) +
            encode(input.column - output.column);
          output.source = source;
          output.line = input.line;
          output.column = input.column;
          if (fields.length >= 5) {
            let name = nameIndex.get(input.name);
            if (name === undefined) {
              name = names.length;
              nameIndex.set(input.name, name);
              names.push(map.names[input.name]);
            }
            mapped += encode(name - output.name);
            output.name = name;
          }
        }
      }
      // An unmapped segment only matters where it ends a mapped one.
      if (mapped === undefined && !lastMapped) continue;
      segments.push(encode(generated - previousGenerated) + (mapped ?? ""));
      previousGenerated = generated;
      lastMapped = mapped !== undefined;
    }
    return segments.join(",");
  });
  // Spread first: the fields keep esbuild's order.
  return {
    ...map,
    sources,
    ...(map.sourcesContent !== undefined && { sourcesContent: contents }),
    names,
    mappings: lines.join(";"),
  };
}

/** Whether a map's source is the project's own: not a file of an installed package. */
export function isOwnSource(source: string): boolean {
  return !source.split(/[\\/]/).includes("node_modules");
}
