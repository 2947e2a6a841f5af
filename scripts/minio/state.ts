import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./config";

/** What `start` records about the background server, in `<instance dir>/state.json`. */
export interface InstanceState {
  pid: number;
  port: number;
  /** Absent in state files written before it was recorded. */
  dataDir?: string;
}

/**
 * Directory of the background server: state.json, data/, minio.log.
 * `LAMBDA_PACKAGE_MINIO_DIR` moves it (tests use a temporary one, so they never
 * touch a developer's running instance). @default `<repo>/.tools/minio`
 */
export function instanceDir(): string {
  const configured = process.env.LAMBDA_PACKAGE_MINIO_DIR;
  return configured ? path.resolve(configured) : path.join(repoRoot(), ".tools", "minio");
}

export const statePath = () => path.join(instanceDir(), "state.json");
export const dataDirPath = () => path.join(instanceDir(), "data");
export const logPath = () => path.join(instanceDir(), "minio.log");

export function readState(): InstanceState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(), "utf8")) as InstanceState;
  } catch {
    return undefined;
  }
}

export function writeState(state: InstanceState): void {
  writeFileSync(statePath(), JSON.stringify(state) + "\n");
}

export function removeState(): void {
  rmSync(statePath(), { force: true });
}

// The pid must still be this MinIO: after a reboot it may belong to anything,
// and another instance dir's server must not be taken for this one.
export function isOurMinio(state: InstanceState): boolean {
  try {
    const argv = readFileSync(`/proc/${state.pid}/cmdline`, "utf8").split("\0");
    return (
      argv.some((arg) => arg.endsWith("minio")) && (!state.dataDir || argv.includes(state.dataDir))
    );
  } catch {
    return false;
  }
}

/** The state of the background server when it runs, else undefined. */
export function runningInstance(): InstanceState | undefined {
  const state = readState();
  return state && isOurMinio(state) ? state : undefined;
}
