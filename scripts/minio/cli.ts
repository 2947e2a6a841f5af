import { endpointOf, MINIO_ACCESS_KEY, MINIO_REGION, MINIO_SECRET_KEY } from "./config";
import { ensureVersionedBucket, type S3Endpoint } from "./buckets";
import { startBackground, stopBackground } from "./background";
import { dataDirPath, logPath, runningInstance, type InstanceState } from "./state";

const USAGE = "usage: npm run minio -- start | stop | env | bucket <name>";
const NOT_RUNNING = "MinIO is not running; run `npm run minio -- start` first";

function exportsOf(port: number): string {
  return [
    `export AWS_ENDPOINT_URL_S3=${endpointOf(port)}`,
    `export AWS_ACCESS_KEY_ID=${MINIO_ACCESS_KEY}`,
    `export AWS_SECRET_ACCESS_KEY=${MINIO_SECRET_KEY}`,
    `export AWS_REGION=${MINIO_REGION}`,
  ].join("\n");
}

function running(): InstanceState {
  const state = runningInstance();
  if (!state) throw new Error(NOT_RUNNING);
  return state;
}

async function start(): Promise<void> {
  const { state, started } = await startBackground();
  if (started) {
    process.stderr.write(
      `minio: started pid ${state.pid} on 127.0.0.1:${state.port}, ` +
        `data ${dataDirPath()}, log ${logPath()}\n`,
    );
  }
  process.stdout.write(exportsOf(state.port) + "\n");
}

async function stop(): Promise<void> {
  const pid = await stopBackground();
  process.stderr.write(pid === undefined ? "minio: not running\n" : `minio: stopped pid ${pid}\n`);
}

function env(): void {
  process.stdout.write(exportsOf(running().port) + "\n");
}

// S3's naming rules, checked here so a bad name gets a message saying which rule.
function checkBucketName(name: string | undefined): string {
  if (!name) throw new Error(`bucket: a bucket name is required; ${USAGE}`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes("..")) {
    throw new Error(
      `bucket: "${name}" is not a valid S3 bucket name; use 3 to 63 lowercase letters, ` +
        "digits, hyphens and dots, starting and ending with a letter or digit",
    );
  }
  return name;
}

async function bucket(name: string | undefined): Promise<void> {
  const bucketName = checkBucketName(name);
  const server: S3Endpoint = {
    endpoint: endpointOf(running().port),
    region: MINIO_REGION,
    accessKeyId: MINIO_ACCESS_KEY,
    secretAccessKey: MINIO_SECRET_KEY,
  };
  const outcome = await ensureVersionedBucket(server, bucketName);
  process.stdout.write(
    outcome === "created"
      ? `minio: created bucket ${bucketName} with versioning Enabled\n`
      : `minio: bucket ${bucketName} exists; versioning is Enabled\n`,
  );
}

const COMMANDS: Record<string, (args: string[]) => void | Promise<void>> = {
  start,
  stop,
  env,
  bucket: (args) => bucket(args[0]),
};

/** Runs `minio.js <command> [args]`; errors go to stderr with exit code 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    const [command = "", ...args] = argv;
    const run = COMMANDS[command];
    if (!run) throw new Error(USAGE);
    await run(args);
  } catch (error) {
    process.stderr.write(`minio: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
