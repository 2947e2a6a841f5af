import net from "node:net";

/** What the proxy does to traffic; every fault is bounded so retries can win. */
export interface FaultPlan {
  /** Reset a connection (TCP RST both ways) once it has carried more request bytes than this. */
  cutAfterBytes?: number;
  /** How many connections to cut that way. @default 1 */
  cuts?: number;
  /** Answer `503 SlowDown` (S3 XML error, Connection: close) to the first N requests. @default 0 */
  slowDowns?: number;
  /** Flip one bit of the request stream at this offset of a connection (a body byte, past the head). */
  corruptAtByte?: number;
  /** How many connections to corrupt that way. @default 1 */
  corruptions?: number;
  /** Called once when the request bytes of all connections together pass `atBytes`. */
  onBytes?: { atBytes: number; run: () => void };
}

export interface FaultStats {
  connections: number;
  cuts: number;
  slowDowns: number;
  corruptions: number;
  /** Request bytes (client → store) seen, over all connections. */
  bytesUp: number;
}

/** A TCP proxy on 127.0.0.1 between the SDK and the store. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: give this to the SDK as the endpoint. */
  endpoint: string;
  stats: FaultStats;
  /** Replaces the plan for new traffic (counters keep counting). */
  setPlan(plan: FaultPlan): void;
  close(): Promise<void>;
}

const SLOW_DOWN_BODY =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>' +
  "<Message>Please reduce your request rate.</Message>" +
  "<RequestId>fault-proxy</RequestId><HostId>fault-proxy</HostId></Error>";

const SLOW_DOWN_RESPONSE =
  "HTTP/1.1 503 Slow Down\r\n" +
  "Content-Type: application/xml\r\n" +
  `Content-Length: ${Buffer.byteLength(SLOW_DOWN_BODY)}\r\n` +
  "x-amz-request-id: fault-proxy\r\n" +
  "Connection: close\r\n\r\n" +
  SLOW_DOWN_BODY;

/** Starts a proxy to the store listening on 127.0.0.1:`targetPort`. */
export async function startFaultProxy(
  targetPort: number,
  initial: FaultPlan = {},
): Promise<FaultProxy> {
  let plan = initial;
  let firedOnBytes = false;
  const stats: FaultStats = {
    connections: 0,
    cuts: 0,
    slowDowns: 0,
    corruptions: 0,
    bytesUp: 0,
  };
  const sockets = new Set<net.Socket>();

  const countBytes = (length: number) => {
    stats.bytesUp += length;
    if (plan.onBytes && !firedOnBytes && stats.bytesUp > plan.onBytes.atBytes) {
      firedOnBytes = true;
      plan.onBytes.run();
    }
  };

  const corrupt = (chunk: Buffer, carried: number): Buffer => {
    const at = plan.corruptAtByte;
    const start = carried - chunk.length;
    if (at === undefined || at < start || at >= carried) return chunk;
    if (stats.corruptions >= (plan.corruptions ?? 1)) return chunk;
    stats.corruptions += 1;
    const copy = Buffer.from(chunk);
    copy[at - start] ^= 0x01;
    return copy;
  };

  const server = net.createServer((client) => {
    stats.connections += 1;
    track(sockets, client);
    if (stats.slowDowns < (plan.slowDowns ?? 0)) {
      stats.slowDowns += 1;
      answerSlowDown(client);
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    track(sockets, upstream);
    let carried = 0;
    client.on("data", (chunk: Buffer) => {
      carried += chunk.length;
      countBytes(chunk.length);
      const limit = plan.cutAfterBytes;
      if (limit !== undefined && carried > limit && stats.cuts < (plan.cuts ?? 1)) {
        stats.cuts += 1;
        client.resetAndDestroy();
        upstream.resetAndDestroy();
        return;
      }
      pipeChunk(corrupt(chunk, carried), client, upstream);
    });
    upstream.on("data", (chunk: Buffer) => pipeChunk(chunk, upstream, client));
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setPlan: (next) => {
      plan = next;
      firedOnBytes = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function track(sockets: Set<net.Socket>, socket: net.Socket): void {
  sockets.add(socket);
  socket.on("error", () => socket.destroy()); // resets are the point; never crash on them
  socket.on("close", () => sockets.delete(socket));
}

function pipeChunk(chunk: Buffer, from: net.Socket, to: net.Socket): void {
  if (to.destroyed) return;
  if (!to.write(chunk)) {
    from.pause();
    to.once("drain", () => from.resume());
  }
}

/** Waits for the request head, answers 503 SlowDown, then drains and closes (bounded). */
function answerSlowDown(client: net.Socket): void {
  let head = "";
  let answered = false;
  client.setTimeout(5000, () => client.destroy());
  client.on("data", (chunk: Buffer) => {
    if (answered) return; // the request body, discarded
    head += chunk.toString("latin1");
    if (!head.includes("\r\n\r\n")) return;
    answered = true;
    client.end(SLOW_DOWN_RESPONSE);
  });
  client.on("end", () => client.destroy());
}
