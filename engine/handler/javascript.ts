/**
 * The names a JavaScript module exports, read from its text without running
 * it: ES `export` declarations and lists, CommonJS `exports.name =`,
 * `module.exports = { … }`, `Object.defineProperty(exports, "name", …)` (as
 * tsc writes), esbuild's `__export(…, { name: … })`. Whatever the text
 * cannot settle (`module.exports = someValue`, `export * from`, computed
 * keys, spreads) makes the list incomplete, and an incomplete list never
 * fails a build: the check says only what is certain.
 */
import type { DefinedNames } from "./python";

const ID = "[A-Za-z_$][\\w$]*";

export function javascriptExports(text: string): DefinedNames {
  const names = new Set<string>();
  let complete = true;
  const each = (pattern: RegExp, use: (match: RegExpExecArray) => void) => {
    for (const match of text.matchAll(pattern)) use(match);
  };
  // ES modules.
  each(new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*(${ID})`, "g"), (m) =>
    names.add(m[1]),
  );
  each(new RegExp(`\\bexport\\s+(?:class|const|let|var)\\s+(${ID})`, "g"), (m) => names.add(m[1]));
  each(/\bexport\s+(?:const|let|var)\s*[{[]/g, () => (complete = false));
  each(/\bexport\s+default\b/g, () => names.add("default"));
  each(/\bexport\s*\{([^}]*)\}/g, (m) => {
    for (const item of m[1].split(",")) {
      const bound = new RegExp(
        `^\\s*(?:type\\s+)?(${ID}|"[^"]*"|'[^']*')(?:\\s+as\\s+(${ID}|"[^"]*"|'[^']*'))?\\s*$`,
      ).exec(item);
      if (bound) names.add(unquote(bound[2] ?? bound[1]));
      else if (item.trim() !== "") complete = false;
    }
  });
  each(new RegExp(`\\bexport\\s*\\*\\s*as\\s+(${ID})`, "g"), (m) => names.add(m[1]));
  each(/\bexport\s*\*\s*from\b/g, () => (complete = false));
  // CommonJS.
  each(new RegExp(`\\b(?:module\\.)?exports\\s*\\.\\s*(${ID})\\s*=(?!=)`, "g"), (m) =>
    names.add(m[1]),
  );
  each(/\b(?:module\.)?exports\s*\[\s*(?:"([^"]*)"|'([^']*)'|([^\]]*))\]\s*=(?!=)/g, (m) => {
    if (m[3] !== undefined) complete = false;
    else names.add(m[1] ?? m[2]);
  });
  each(
    /\bObject\.defineProperty\(\s*(?:module\.)?exports\s*,\s*(?:"([^"]*)"|'([^']*)'|[^,]*)/g,
    (m) => {
      if (m[1] === undefined && m[2] === undefined) complete = false;
      else names.add(m[1] ?? m[2]);
    },
  );
  each(/\b__export\(\s*[\w$]+\s*,\s*\{([^}]*)\}/g, (m) => {
    for (const key of m[1].matchAll(new RegExp(`(?:^|,)\\s*(${ID}|"[^"]*")\\s*:`, "g")))
      names.add(unquote(key[1]));
  });
  each(/\bmodule\.exports\s*=(?!=)\s*/g, (m) => {
    const after = text.slice(m.index + m[0].length);
    if (after.startsWith("{")) {
      const keys = objectKeys(after);
      if (keys === undefined) complete = false;
      else for (const key of keys) names.add(key);
    } else if (!/^__toCommonJS\(/.test(after) || !/\b__export\(/.test(text)) complete = false;
  });
  if (/\b(?:Object\.assign\(\s*(?:module\.)?exports\b|__exportStar\(|__reExport\()/.test(text))
    complete = false;
  return { names, complete };
}

/** The keys of the object literal `text` starts with; undefined for a spread or a computed key. */
function objectKeys(text: string): string[] | undefined {
  let depth = 0;
  let end = -1;
  let quote: string | undefined;
  for (let at = 0; at < text.length && end < 0; at++) {
    const c = text[at];
    if (quote) {
      if (c === "\\") at++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ")" || c === "]") {
      depth--;
      if (depth === 0) end = at;
    }
  }
  if (end < 0) return undefined;
  // Only the top level of the literal: nested brackets are cut out first.
  let body = text.slice(1, end);
  for (let previous = ""; previous !== body;) {
    previous = body;
    body = body.replace(/\([^()]*\)|\[[^[\]]*\]|\{[^{}]*\}/g, "");
  }
  const keys: string[] = [];
  for (const part of body.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const key = new RegExp(`^(?:async\\s+)?(?:[gs]et\\s+)?\\*?\\s*(${ID}|"[^"]*"|'[^']*')`).exec(
      item,
    );
    if (!key || item.startsWith("...")) return undefined;
    keys.push(unquote(key[1]));
  }
  return keys;
}

function unquote(name: string): string {
  return /^["']/.test(name) ? name.slice(1, -1) : name;
}
