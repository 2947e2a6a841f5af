import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { progressReporter } from "../../cli/progress";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream,
  };
}

const step = { phase: "zipping" as const, files: 3, totalFiles: 10, bytes: 2048, totalBytes: 4096 };

describe("progressReporter", () => {
  test("draws files and bytes on one line on a terminal and clears it when done", () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const { writes, stream } = fakeStream(true);
      const progress = progressReporter(stream);
      progress.update(step);
      progress.done();
      assert.match(writes[0], /zipping 3\/10 files, 2\.0 KiB of 4\.0 KiB/);
      assert.equal(writes[1], "\r\x1b[2K");
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  test("writes nothing when the stream is not a terminal or CI is set", () => {
    const pipe = fakeStream(false);
    progressReporter(pipe.stream).update(step);
    assert.deepEqual(pipe.writes, []);
    const saved = process.env.CI;
    process.env.CI = "true";
    try {
      const tty = fakeStream(true);
      progressReporter(tty.stream).update(step);
      assert.deepEqual(tty.writes, []);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
