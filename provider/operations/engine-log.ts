/**
 * The engine's Log service, reached from the dynamic provider's process: the
 * Pulumi SDK starts that process with the engine's address as its first
 * argument (`@pulumi/pulumi/cmd/dynamic-provider`) but connects no client to
 * it, so `pulumi.log` there only writes to stderr. This client uses the SDK's
 * own generated stubs and its gRPC library.
 */
import path from "node:path";

export type Severity = "debug" | "info" | "warning" | "error";

export interface EngineLog {
  /** Sends one message; the messages of one resource arrive in the order sent. */
  send(severity: Severity, message: string, urn: string, ephemeral: boolean): void;
  /** Resolves when every message sent so far for `urn` has been delivered (or written to stderr). */
  flushed(urn: string): Promise<void>;
}

interface LogRequest {
  setSeverity(value: number): void;
  setMessage(value: string): void;
  setUrn(value: string): void;
  setEphemeral(value: boolean): void;
}
interface EngineProto {
  LogRequest: new () => LogRequest;
  LogSeverity: Record<"DEBUG" | "INFO" | "WARNING" | "ERROR", number>;
}
interface EngineClient {
  log(request: LogRequest, done: (error: Error | null) => void): void;
}

let cached: EngineLog | null | undefined;

/** The engine's log, when this is the dynamic provider's process; undefined otherwise. */
export function engineLog(): EngineLog | undefined {
  if (cached === undefined) cached = connect() ?? null;
  return cached ?? undefined;
}

function connect(): EngineLog | undefined {
  const main = require.main?.filename ?? "";
  const address = process.argv[2];
  if (!/dynamic-provider[/\\]index\.js$/.test(main) || !address) return undefined;
  try {
    // The SDK's stubs load the SDK's own copy of @grpc/grpc-js; so must this.
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [main] }));
    /* eslint-disable @typescript-eslint/no-require-imports */
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdk] })) as {
      credentials: { createInsecure(): unknown };
    };
    const stubs = require(path.join(sdk, "proto", "engine_grpc_pb.js")) as {
      EngineClient: new (address: string, credentials: unknown) => EngineClient;
    };
    const proto = require(path.join(sdk, "proto", "engine_pb.js")) as EngineProto;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = new stubs.EngineClient(address, grpc.credentials.createInsecure());
    // One queue per resource, not one for the process: a row's lines keep their order, while
    // the rows of operations running at once (a stack's creates) do not wait for each other's,
    // nor an operation's end for every line the others sent before it.
    const queues = new Map<string, Promise<void>>();
    const severities = {
      debug: proto.LogSeverity.DEBUG,
      info: proto.LogSeverity.INFO,
      warning: proto.LogSeverity.WARNING,
      error: proto.LogSeverity.ERROR,
    };
    return {
      send(severity, message, urn, ephemeral) {
        const queued = (queues.get(urn) ?? Promise.resolve()).then(
          () =>
            new Promise<void>((resolve) => {
              const request = new proto.LogRequest();
              request.setSeverity(severities[severity]);
              request.setMessage(message);
              request.setUrn(urn);
              request.setEphemeral(ephemeral);
              client.log(request, (error) => {
                // A line the engine did not take still reaches the user, under the stack.
                if (error) process.stderr.write(`[lambda-package] ${message}\n`);
                resolve();
              });
            }),
        );
        queues.set(urn, queued);
        void queued.then(() => {
          if (queues.get(urn) === queued) queues.delete(urn);
        });
      },
      flushed: (urn) => queues.get(urn) ?? Promise.resolve(),
    };
  } catch (error) {
    process.stderr.write(
      `[lambda-package] the engine's log cannot be reached (${String(error)}); lines go to stderr\n`,
    );
    return undefined;
  }
}
