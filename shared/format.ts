/** `1.5 MiB`: sizes in messages and logs. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A value as a message quotes it: JSON, cut to 80 characters. JSON escapes
 * C0 controls itself; the rest of UNSAFE (DEL, C1, U+2028/2029, bidi) is
 * escaped here too, so a quoted name cannot reorder or break a message.
 */
export function show(value: unknown): string {
  const text = (JSON.stringify(value) ?? String(value)).replace(UNSAFE, unicodeEscape);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Characters that, printed raw, would do more than show themselves: C0
 * controls (a line break forges a line, ESC moves the cursor or clears the
 * screen), DEL, C1 controls (some terminals take 0x9B as ESC [), the Unicode
 * line and paragraph separators, and the bidi marks, embeddings, overrides
 * and isolates, which reorder what follows them.
 */
const UNSAFE =
  // Matching control characters is the point here.
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Whether `text` holds a character of UNSAFE: a name that does cannot be one line of anything. */
export function hasUnsafeCharacter(text: string): boolean {
  return text.search(UNSAFE) >= 0; // search ignores the g flag's lastIndex
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `\u202e` for any character: what JSON reads back, so show()'s output stays JSON. */
function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * A name from a zip or a package as text output prints it: unchanged unless
 * it holds a character of UNSAFE, which is shown escaped (`\n`, `\x1b`,
 * `\u202e`), as is a backslash (`\\`), so what is printed reads back to one
 * name only and no name can forge a line or move the cursor.
 */
export function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return (
      SHORT_ESCAPES[char] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : unicodeEscape(char))
    );
  });
}
