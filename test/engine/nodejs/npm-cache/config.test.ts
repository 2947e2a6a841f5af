import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { npmCacheSettings } from "../../../../engine/nodejs/npm-cache/config";
import { tempDir } from "../../../support/tmp";

/** A project root with `npmrc` (if any), and a user and global npmrc of their own. */
async function setup(files: { project?: string; user?: string; global?: string } = {}) {
  const dir = await tempDir("npm-config");
  const root = path.join(dir, "project");
  const prefix = path.join(dir, "node");
  await mkdir(root);
  await mkdir(path.join(prefix, "etc"), { recursive: true });
  const user = path.join(dir, "user.npmrc");
  if (files.project !== undefined) await writeFile(path.join(root, ".npmrc"), files.project);
  if (files.user !== undefined) await writeFile(user, files.user);
  if (files.global !== undefined) await writeFile(path.join(prefix, "etc", "npmrc"), files.global);
  return { root, prefix, dir, env: { npm_config_userconfig: user } as NodeJS.ProcessEnv };
}

test("npm's cache is ~/.npm/_cacache unless a setting moves it; registries and auth leave it usable", async () => {
  const { root, prefix, env } = await setup({
    project:
      "registry=https://npm.example.com/\n//npm.example.com/:_authToken=${TOKEN}\n@acme:registry=https://acme.example/\n",
    user: "fund=false\naudit = false\n; a comment\n",
  });
  assert.deepEqual(npmCacheSettings(root, env, prefix), {
    cache: path.join(os.homedir(), ".npm", "_cacache"),
  });
});

test("cache comes from the last place that sets it: global, user, project, then the environment", async () => {
  const { root, prefix, env, dir } = await setup({
    global: "cache=/global/cache\n",
    user: "cache=~/user-cache\n",
    project: 'cache="${CACHE_ROOT}/project-cache"\n',
  });
  const withVar = { ...env, CACHE_ROOT: dir };
  assert.deepEqual(npmCacheSettings(root, withVar, prefix), {
    cache: path.join(dir, "project-cache", "_cacache"),
  });
  assert.deepEqual(npmCacheSettings(root, { ...withVar, NPM_CONFIG_CACHE: "/env/cache" }, prefix), {
    cache: "/env/cache/_cacache",
  });
  const userOnly = await setup({ user: "cache=~/user-cache\n" });
  assert.deepEqual(npmCacheSettings(userOnly.root, userOnly.env, userOnly.prefix), {
    cache: path.join(os.homedir(), "user-cache", "_cacache"),
  });
});

test("a setting that could change what npm ci installs is a reason naming it and where it is set", async () => {
  const project = await setup({ project: "omit=optional\n" });
  assert.deepEqual(npmCacheSettings(project.root, project.env, project.prefix), {
    reason: `${path.join(project.root, ".npmrc")} sets omit`,
  });
  const global = await setup({ global: "install-strategy=linked\n" });
  assert.deepEqual(npmCacheSettings(global.root, global.env, global.prefix), {
    reason: `${path.join(global.prefix, "etc", "npmrc")} sets install-strategy`,
  });
  const fromEnv = await setup();
  assert.deepEqual(
    npmCacheSettings(
      fromEnv.root,
      { ...fromEnv.env, npm_config_bin_links: "false" },
      fromEnv.prefix,
    ),
    { reason: "the environment sets bin-links" },
  );
  // Empty variables are unset, as npm reads them.
  assert.ok(
    "cache" in
      npmCacheSettings(fromEnv.root, { ...fromEnv.env, npm_config_omit: "" }, fromEnv.prefix),
  );
});

test("the variables npm sets for a script (`npm run deploy` running pulumi) leave the cache usable", async () => {
  const { root, prefix, env, dir } = await setup();
  // What npm 11.19 exports to `npm run` scripts on this project's CI machine, empty ones included.
  const npmRun = {
    npm_config_allow_scripts: "",
    npm_config_audit: "",
    npm_config_cache: path.join(dir, "npm"),
    npm_config_fund: "",
    npm_config_global_prefix: prefix,
    npm_config_init_module: path.join(dir, ".npm-init.js"),
    npm_config_local_prefix: root,
    npm_config_loglevel: "silent",
    npm_config_node_gyp: "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
    npm_config_nodedir: "/usr",
    npm_config_noproxy: "",
    npm_config_npm_version: "11.19.1",
    npm_config_omit_lockfile_registry_resolved: "true",
    npm_config_prefix: prefix,
    npm_config_update_notifier: "",
    npm_config_user_agent: "npm/11.19.1 node/v24.21.0 linux x64 workspaces/false",
    npm_config_yes: "",
  };
  assert.deepEqual(npmCacheSettings(root, { ...env, ...npmRun }, prefix), {
    cache: path.join(dir, "npm", "_cacache"),
  });
});

test("an npmrc that cannot be read is a reason naming it, since its settings could be any", async () => {
  const { root, prefix, env } = await setup();
  // A directory where the project's npmrc should be: reading it fails with EISDIR, as root reads any mode.
  await mkdir(path.join(root, ".npmrc"));
  assert.deepEqual(npmCacheSettings(root, env, prefix), {
    reason: `${path.join(root, ".npmrc")} cannot be read (EISDIR)`,
  });
});

test("the global npmrc is found as npm finds it: under npm_config_prefix, else the npmrcs' prefix, else $PREFIX, else Node's prefix", async () => {
  const { root, prefix, env, dir } = await setup({ global: "omit=dev\n" });
  const nodeRc = path.join(prefix, "etc", "npmrc");
  /** A prefix of its own whose etc/npmrc sets what npm ci must be left to. */
  const ownPrefix = async (name: string) => {
    const other = path.join(dir, name);
    await mkdir(path.join(other, "etc"), { recursive: true });
    await writeFile(path.join(other, "etc", "npmrc"), "install-strategy=linked\n");
    return other;
  };
  assert.deepEqual(npmCacheSettings(root, env, prefix), { reason: `${nodeRc} sets omit` });

  const fromEnv = await ownPrefix("env-prefix");
  for (const name of ["npm_config_prefix", "NPM_CONFIG_PREFIX"]) {
    assert.deepEqual(npmCacheSettings(root, { ...env, [name]: fromEnv }, prefix), {
      reason: `${path.join(fromEnv, "etc", "npmrc")} sets install-strategy`,
    });
  }
  const fromUser = await ownPrefix("user-prefix");
  await writeFile(env.npm_config_userconfig!, `prefix=${fromUser}\n`);
  assert.deepEqual(npmCacheSettings(root, env, prefix), {
    reason: `${path.join(fromUser, "etc", "npmrc")} sets install-strategy`,
  });
  // The environment outranks the user's npmrc, as with every setting.
  assert.deepEqual(npmCacheSettings(root, { ...env, npm_config_prefix: fromEnv }, prefix), {
    reason: `${path.join(fromEnv, "etc", "npmrc")} sets install-strategy`,
  });
  await writeFile(env.npm_config_userconfig!, "");
  const fromPREFIX = await ownPrefix("PREFIX");
  assert.deepEqual(npmCacheSettings(root, { ...env, PREFIX: fromPREFIX }, prefix), {
    reason: `${path.join(fromPREFIX, "etc", "npmrc")} sets install-strategy`,
  });
  // A prefix whose global npmrc is harmless leaves the cache usable, whatever Node's prefix holds.
  const harmless = path.join(dir, "harmless");
  await mkdir(path.join(harmless, "etc"), { recursive: true });
  await writeFile(path.join(harmless, "etc", "npmrc"), "fund=false\n");
  assert.ok("cache" in npmCacheSettings(root, { ...env, npm_config_prefix: harmless }, prefix));
  assert.deepEqual(npmCacheSettings(root, { ...env, npm_config_prefix: "relative/dir" }, prefix), {
    reason: 'the prefix setting "relative/dir" is relative',
  });
});

test("the user npmrc is where the project's npmrc says, and globalconfig in either names the global one", async () => {
  const { root, prefix, env, dir } = await setup();
  const elsewhere = path.join(dir, "elsewhere.npmrc");
  await writeFile(elsewhere, "omit=optional\n");
  await writeFile(path.join(root, ".npmrc"), `userconfig=${elsewhere}\n`);
  const { npm_config_userconfig: _, ...noUser } = env;
  assert.deepEqual(npmCacheSettings(root, noUser, prefix), { reason: `${elsewhere} sets omit` });
  const global = path.join(dir, "global.npmrc");
  await writeFile(global, "install-links=true\n");
  await writeFile(env.npm_config_userconfig!, `globalconfig=${global}\n`);
  assert.deepEqual(npmCacheSettings(root, env, prefix), { reason: `${global} sets install-links` });
});
