/**
 * The names a Python module defines at its top level, read from its text
 * without running it: `def`, `async def`, `class`, assignments and imports,
 * also inside top-level `if`/`try`/`with`/`for` blocks (which bind module
 * names too). What cannot be known so (`from x import *`, `globals()`
 * writes, `__getattr__`) makes the list incomplete, and an incomplete list
 * never fails a build.
 */

export interface DefinedNames {
  readonly names: ReadonlySet<string>;
  /** False when the module may define names the text does not show. */
  readonly complete: boolean;
}

const BLOCK = /^(if|elif|else|try|except|finally|with|async\s+with|for|async\s+for|while)\b/;
const IDENT = "[A-Za-z_][A-Za-z0-9_]*";

export function pythonNames(text: string): DefinedNames {
  // Triple-quoted strings may hold "def x" at column 0; their lines are blanked, not removed.
  const code = text.replace(/("""|''')[\s\S]*?\1/g, (s) => s.replace(/[^\n]/g, " "));
  const names = new Set<string>();
  let complete = true;
  let inBlock = false;
  const lines = code.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const body = line.trimStart();
    if (body === "" || body.startsWith("#")) continue;
    const top = body.length === line.length;
    if (top) inBlock = BLOCK.test(body);
    else if (!inBlock) continue;
    let match: RegExpExecArray | null;
    if ((match = new RegExp(`^(?:async\\s+)?(?:def|class)\\s+(${IDENT})`).exec(body))) {
      names.add(match[1]);
    } else if ((match = /^from\s+\S+\s+import\s+(.*)$/.exec(body))) {
      let list = match[1];
      // A parenthesised list may run over several lines.
      if (list.trimStart().startsWith("(")) {
        while (!list.includes(")") && i + 1 < lines.length) list += ` ${lines[++i]}`;
      }
      for (const part of list.replace(/[()\\]/g, " ").split(",")) {
        const item = part.split("#")[0].trim();
        if (item === "*") complete = false;
        const bound = new RegExp(`^${IDENT}(?:\\s+as\\s+(${IDENT}))?$`).exec(item);
        if (bound) names.add(bound[1] ?? item.split(/\s+/)[0]);
      }
    } else if ((match = /^import\s+(.*)$/.exec(body))) {
      for (const part of match[1].split(",")) {
        const item = part.split("#")[0].trim();
        const bound = new RegExp(`^(${IDENT})[\\w.]*(?:\\s+as\\s+(${IDENT}))?$`).exec(item);
        if (bound) names.add(bound[2] ?? bound[1]);
      }
    } else if (
      (match = new RegExp(
        `^((?:${IDENT}\\s*,\\s*)*${IDENT})\\s*(?::[^=]*)?(?:[-+*/|&]?=)(?!=)`,
      ).exec(body))
    ) {
      for (const name of match[1].split(",")) names.add(name.trim());
    } else if (/^\(?\s*\[?\s*[A-Za-z_][\w\s,()[\]]*\]?\)?\s*=(?!=)/.test(body)) {
      // `(a, b) = …`, `[a, b] = …`: every identifier on the left is bound.
      for (const name of body.split("=")[0].match(new RegExp(IDENT, "g")) ?? []) names.add(name);
    }
    if (/\bglobals\(\)\s*(\[|\.update|\.setdefault)|\bsetattr\(\s*sys\.modules|\bexec\(/.test(body))
      complete = false;
    if (/^def\s+__getattr__\b/.test(body)) complete = false;
  }
  return { names, complete };
}
