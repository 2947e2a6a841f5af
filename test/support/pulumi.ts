import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { S3Endpoint } from "../../scripts/minio";
import { offlinePulumiEnv } from "../../scripts/pulumi";
import { run } from "./run";
import { tempDir } from "./tmp";

const execFileAsync = promisify(execFile);
export const ROOT = path.resolve(__dirname, "..", "..", "..");

export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PulumiProject {
  readonly dir: string;
  /** Runs the real `pulumi` CLI in the project (`env` on top of its own); never throws on a non-zero exit. */
  pulumi(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<PulumiResult>;
  /** Like `pulumi`, but fails with the CLI's output when it exits non-zero. */
  ok(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string>;
}

/**
 * A Pulumi project in a temp dir that depends on this package the way a user
 * installs it: from the tarball `npm pack` makes, not by relative import.
 */
export async function createProject(
  files: Record<string, string>,
  minio: S3Endpoint,
): Promise<PulumiProject> {
  const work = await tempDir("e2e");
  const tarball = (
    await run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: ROOT })
  ).trim();
  const dir = path.join(work, "project");
  await mkdir(dir);
  const { version: sdk } = JSON.parse(
    await readFile(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
  ) as { version: string };
  const packageJson = {
    name: "e2e",
    private: true,
    dependencies: {
      "pulumi-lambda-package": `file:${path.join(work, tarball)}`,
      "@pulumi/pulumi": sdk,
    },
  };
  await writeFile(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
  await mkdir(path.join(work, "state"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
  });
  const env = offlinePulumiEnv(work, minio);
  const pulumi = async (
    args: readonly string[],
    extra: NodeJS.ProcessEnv = {},
  ): Promise<PulumiResult> => {
    try {
      const { stdout, stderr } = await execFileAsync("pulumi", [...args, "--color", "never"], {
        cwd: dir,
        env: { ...env, ...extra },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === "number" ? e.code : 1,
        stdout: e.stdout ?? "",
        stderr: e.stderr ?? "",
      };
    }
  };
  const ok = async (args: readonly string[], extra?: NodeJS.ProcessEnv) => {
    const result = await pulumi(args, extra);
    if (result.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
      );
    }
    return result.stdout;
  };
  return { dir, pulumi, ok };
}
