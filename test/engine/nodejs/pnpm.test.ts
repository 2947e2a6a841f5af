import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { pnpmCommand } from "../../../engine/nodejs/pnpm";
import type { NodeProject } from "../../../engine/nodejs/project";
import type { Architecture } from "../../../engine/options";
import { tempDir, type Cleanup } from "../packager/fixtures";

const USER_MANIFEST = {
  name: "acme",
  private: true,
  pnpm: { overrides: { a: "1.0.0" }, supportedArchitectures: { os: ["darwin"] } },
};

/** A workspace member `name` of a scratch root whose package.json is USER_MANIFEST. */
async function setup(t: Cleanup, name = "@acme/api") {
  const root = await tempDir(t);
  await writeFile(path.join(root, "package.json"), JSON.stringify(USER_MANIFEST));
  const dir = path.join(root, "packages", "api");
  const member = { name, dir, manifest: { name } };
  const project: NodeProject = {
    dir,
    manifest: member.manifest,
    root,
    manager: "pnpm",
    lockfile: "pnpm-lock.yaml",
    workspace: { root, members: [member], member },
  };
  return { root, project };
}

async function command(
  t: Cleanup,
  version: string | undefined,
  architecture: Architecture | undefined,
  name?: string,
) {
  const { root, project } = await setup(t, name);
  const lines: string[] = [];
  const tool = { command: "pnpm", label: `pnpm ${version ?? "from PATH"}`, version };
  const scratch = "/scratch";
  const result = await pnpmCommand({
    project,
    tool,
    architecture,
    root,
    scratch,
    log: (l) => lines.push(l),
  });
  const manifest = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as unknown;
  return { ...result, root, lines, manifest };
}

const common = ["--prod", "--config.node-linker=hoisted"];

describe("pnpmCommand", () => {
  test("pnpm 9 installs the member and the members it needs from the lockfile, Lambda's platform set in the scratch package.json in place of the workspace's", async (t) => {
    const { args, nodeModules, root, lines, manifest } = await command(t, "9.15.9", "arm64");
    assert.deepEqual(args, ["install", ...common, "--frozen-lockfile", "--filter=@acme/api..."]);
    assert.equal(nodeModules, path.join(root, "node_modules"));
    assert.deepEqual(manifest, {
      ...USER_MANIFEST,
      pnpm: {
        overrides: { a: "1.0.0" },
        supportedArchitectures: { os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
      },
    });
    assert.ok(
      lines.some((l) =>
        l.endsWith("(pnpm 9 takes no --os/--cpu/--libc), in place of the workspace's own."),
      ),
      lines.join("\n"),
    );
  });

  test("pnpm 10 deploys the member with inject-workspace-packages, which it needs to deploy from the shared lockfile", async (t) => {
    const { args, nodeModules, manifest } = await command(t, "10.34.9", "x86_64");
    assert.deepEqual(args, [
      "--filter=@acme/api",
      "deploy",
      ...common,
      "--config.inject-workspace-packages=true",
      "/scratch/deploy",
    ]);
    assert.equal(nodeModules, "/scratch/deploy/node_modules");
    assert.deepEqual((manifest as typeof USER_MANIFEST).pnpm.supportedArchitectures, {
      os: ["linux"],
      cpu: ["x64"],
      libc: ["glibc"],
    });
  });

  test("pnpm 11 and later deploy the member as they are, Lambda's platform given as flags, and the package.json left as it was", async (t) => {
    for (const version of ["11.28.13", "12.4.2"]) {
      const { args, manifest } = await command(t, version, "arm64");
      assert.deepEqual(args, [
        "--filter=@acme/api",
        "deploy",
        ...common,
        "--os=linux",
        "--cpu=arm64",
        "--libc=glibc",
        "/scratch/deploy",
      ]);
      assert.deepEqual(manifest, USER_MANIFEST, version);
    }
  });

  test("a project of its own is installed in place from its lockfile", async (t) => {
    const { root, project } = await setup(t);
    const own: NodeProject = { ...project, dir: root, workspace: undefined };
    const tool = { command: "pnpm", label: "pnpm 10.34.9", version: "10.34.9" };
    const { args, nodeModules } = await pnpmCommand({
      project: own,
      tool,
      architecture: "x86_64",
      root,
      scratch: "/scratch",
      log: () => {},
    });
    assert.deepEqual(args, ["install", ...common, "--frozen-lockfile"]);
    assert.equal(nodeModules, path.join(root, "node_modules"));
  });

  test("architecture local sets nothing: pnpm picks this machine's packages", async (t) => {
    const { args, manifest } = await command(t, "10.34.9", undefined);
    assert.ok(!args.some((a) => /^--(os|cpu|libc)=/.test(a)), args.join(" "));
    assert.deepEqual(manifest, USER_MANIFEST);
  });

  test("a pnpm that does not say its version is run as a current one, and the log says so", async (t) => {
    const { args, lines } = await command(t, undefined, "x86_64");
    assert.ok(args.includes("--os=linux"), args.join(" "));
    assert.deepEqual(lines, [
      "nodejs packager: pnpm from PATH did not say its version; running it as pnpm 11 or later.",
    ]);
  });

  test("a member name that --filter would read as a selector is refused, naming its package.json", async (t) => {
    for (const name of ["!@acme/api", "./api", "api...", "{api}", "^api"]) {
      await assert.rejects(command(t, "12.4.2", "x86_64", name), (e: Error) => {
        assert.match(e.message, /is not one pnpm's --filter can select by name/, name);
        assert.ok(e.message.includes(path.join("packages", "api", "package.json")), e.message);
        return true;
      });
    }
  });
});
