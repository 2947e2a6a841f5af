/**
 * The npm settings that decide whether packages can be unpacked from npm's
 * cache as `npm ci` would: where the cache is, and whether any setting could
 * make npm ci install something else (`omit`, `install-strategy`, `bin-links`
 * …). Settings come from npm's own places, lowest first: the global npmrc,
 * the user's, the project's, then `npm_config_*` variables. Only settings
 * known to leave the installed files alone are accepted; any other one is a
 * reason to run npm ci.
 */
import os from "node:os";
import path from "node:path";
import { readTextIfPresent } from "../../../shared/files";

/** Settings that change how npm fetches, logs or authenticates, never what it installs. */
const HARMLESS = new Set([
  "allow-scripts", // as ignore-scripts
  "always-auth",
  "audit",
  "auth-type",
  "ca",
  "cache",
  "cafile",
  "cert",
  "color",
  "email",
  "fetch-retries",
  "fetch-retry-factor",
  "fetch-retry-maxtimeout",
  "fetch-retry-mintimeout",
  "fetch-timeout",
  "fund",
  "global-prefix",
  "globalconfig",
  "heading",
  "https-proxy",
  "ignore-scripts", // packages with scripts are left to npm either way
  "key",
  "local-prefix",
  "loglevel",
  "logs-dir",
  "logs-max",
  "maxsockets",
  "message",
  "node-gyp",
  "nodedir",
  "noproxy",
  "npm-version",
  "offline",
  "omit-lockfile-registry-resolved",
  "prefer-offline",
  "prefer-online",
  "prefix",
  "progress",
  "proxy",
  "registry",
  "save",
  "save-exact",
  "save-prefix",
  "script-shell",
  "sign-git-tag",
  "strict-ssl",
  "timing",
  "unicode",
  "update-notifier",
  "user-agent",
  "userconfig",
  "yes",
]);

export type NpmCacheSettings = { readonly cache: string } | { readonly reason: string };

/**
 * Where npm's content cache (`_cacache`) is for a project whose npmrc is in
 * `root`, or why its settings rule the cache out. `env` is the packager's
 * environment; `prefix` is Node's install prefix, where the global npmrc is.
 */
export function npmCacheSettings(
  root: string,
  env: NodeJS.ProcessEnv,
  prefix = path.dirname(path.dirname(process.execPath)),
): NpmCacheSettings {
  const fromEnv = envSettings(env);
  const home = os.homedir();
  // Distributions' npm builds read /etc/npmrc; reading both can only find more settings.
  const globals = fromEnv.has("globalconfig")
    ? [fromEnv.get("globalconfig")!]
    : [path.join(prefix, "etc", "npmrc"), "/etc/npmrc"];
  const files = [
    ...new Set(globals),
    fromEnv.get("userconfig") ?? path.join(home, ".npmrc"),
    path.join(root, ".npmrc"),
  ];
  const settings = new Map<string, { value: string; from: string }>();
  for (const file of files) {
    let text: string | undefined;
    try {
      text = readTextIfPresent(file);
    } catch (error) {
      // Settings we cannot read could be any: npm ci reads them, or says why it cannot.
      return { reason: `${file} cannot be read (${(error as NodeJS.ErrnoException).code})` };
    }
    if (text === undefined) continue;
    for (const [key, value] of parseNpmrc(text, env)) settings.set(key, { value, from: file });
  }
  for (const [key, value] of fromEnv) settings.set(key, { value, from: "the environment" });
  for (const [key, { from }] of settings) {
    const harmless =
      HARMLESS.has(key) ||
      key.startsWith("//") ||
      /^@[^:]+:registry$/.test(key) ||
      key.startsWith("init-");
    if (!harmless) return { reason: `${from} sets ${key}` };
  }
  const cache = settings.get("cache")?.value ?? path.join(home, ".npm");
  const expanded = cache.startsWith("~/") ? path.join(home, cache.slice(2)) : cache;
  if (!path.isAbsolute(expanded)) return { reason: `the cache setting "${cache}" is relative` };
  return { cache: path.join(expanded, "_cacache") };
}

/** `npm_config_foo_bar` → `foo-bar`, as npm reads them; empty values are unset. */
function envSettings(env: NodeJS.ProcessEnv): Map<string, string> {
  const settings = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!/^npm_config_/i.test(name) || !value) continue;
    let key = name.slice("npm_config_".length);
    if (!key.startsWith("//")) key = key.replace(/(?!^)_/g, "-").toLowerCase();
    settings.set(key, value);
  }
  return settings;
}

/** The `key = value` lines of an npmrc's text, `${VAR}` expanded. */
function parseNpmrc(text: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const settings = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const at = line.indexOf("=");
    const key = (at < 0 ? line : line.slice(0, at)).trim().replace(/\[\]$/, "");
    let value = at < 0 ? "true" : line.slice(at + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    value = value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? "");
    settings.set(key, value);
  }
  return settings;
}
