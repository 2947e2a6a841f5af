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
 * environment; `nodePrefix` is Node's install prefix, npm's default prefix.
 *
 * The files are the ones npm reads, found as @npmcli/config finds them: the
 * project's, then the user's (`userconfig` from the environment or the
 * project's npmrc, else ~/.npmrc), then the global one (`globalconfig` from
 * any of those, else `etc/npmrc` under the prefix: `npm_config_prefix`, the
 * project's or the user's `prefix`, else `$PREFIX`, else Node's prefix under
 * `$DESTDIR`). npm's own builtin npmrc is not read: which npm runs is not
 * known here; distributions' builds point it at /etc/npmrc, which is read too.
 */
export function npmCacheSettings(
  root: string,
  env: NodeJS.ProcessEnv,
  nodePrefix = path.dirname(path.dirname(process.execPath)),
): NpmCacheSettings {
  const fromEnv = envSettings(env);
  const home = env.HOME || os.homedir();
  const read: { file: string; settings: Map<string, string> }[] = [];
  /** A file's settings, empty when it is missing; a string is a reason to stop. */
  const load = (file: string): Map<string, string> | string => {
    let text: string | undefined;
    try {
      text = readTextIfPresent(file);
    } catch (error) {
      // Settings we cannot read could be any: npm ci reads them, or says why it cannot.
      return `${file} cannot be read (${(error as NodeJS.ErrnoException).code})`;
    }
    const settings = text === undefined ? new Map<string, string>() : parseNpmrc(text, env);
    // Kept lowest first: each file read (project, user, global) outranks those read after it.
    read.unshift({ file, settings });
    return settings;
  };
  /** The first place that sets `key`, as a path npm would resolve; a string reason when it cannot be one. */
  const located = (key: string, ...layers: Map<string, string>[]) => {
    const value = [fromEnv, ...layers].find((layer) => layer.has(key))?.get(key);
    return value === undefined ? undefined : absolute(key, value, home);
  };

  const project = load(path.join(root, ".npmrc"));
  if (typeof project === "string") return { reason: project };
  const userFile = located("userconfig", project) ?? { path: path.join(home, ".npmrc") };
  if ("reason" in userFile) return userFile;
  const user = load(userFile.path);
  if (typeof user === "string") return { reason: user };
  const globalFile = located("globalconfig", project, user);
  if (globalFile && "reason" in globalFile) return globalFile;
  const prefix = located("prefix", project, user) ?? { path: defaultPrefix(env, nodePrefix) };
  if ("reason" in prefix) return prefix;
  // Distributions' npm builds read /etc/npmrc; reading both can only find more settings.
  const globals = globalFile
    ? [globalFile.path]
    : [...new Set(["/etc/npmrc", path.resolve(prefix.path, "etc", "npmrc")])];
  for (const file of globals) {
    const settings = load(file);
    if (typeof settings === "string") return { reason: settings };
  }

  const settings = new Map<string, { value: string; from: string }>();
  for (const { file, settings: values } of read) {
    for (const [key, value] of values) settings.set(key, { value, from: file });
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
  const cache = settings.get("cache");
  const cacheDir = cache ? absolute("cache", cache.value, home) : { path: path.join(home, ".npm") };
  if ("reason" in cacheDir) return cacheDir;
  return { cache: path.join(cacheDir.path, "_cacache") };
}

/** npm's default prefix (@npmcli/config's loadGlobalPrefix on Unix). */
function defaultPrefix(env: NodeJS.ProcessEnv, nodePrefix: string): string {
  if (env.PREFIX) return env.PREFIX;
  return env.DESTDIR ? path.join(env.DESTDIR, nodePrefix) : nodePrefix;
}

/**
 * A path setting as npm reads it: `~/` is the home directory. A relative one
 * is relative to where npm ci runs, a scratch copy of the project's
 * manifests, so it names nothing here: a reason.
 */
function absolute(
  key: string,
  value: string,
  home: string,
): { readonly path: string } | { readonly reason: string } {
  const expanded = value.startsWith("~/") ? path.join(home, value.slice(2)) : value;
  if (!path.isAbsolute(expanded)) return { reason: `the ${key} setting "${value}" is relative` };
  return { path: expanded };
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
