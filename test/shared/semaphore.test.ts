import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Semaphore } from "../../shared/semaphore";

test("no more than its size hold a place at once, and waiters go in order, told once", async () => {
  const semaphore = new Semaphore(2);
  let holding = 0;
  let most = 0;
  const order: number[] = [];
  const waits: [number, number][] = [];
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      semaphore.run(
        async () => {
          holding++;
          most = Math.max(most, holding);
          order.push(i);
          await sleep(20);
          holding--;
        },
        (holders, ahead) => waits.push([holders, ahead]),
      ),
    ),
  );
  assert.equal(most, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(waits, [
    [2, 0],
    [2, 1],
    [2, 2],
    [2, 3],
  ]);
});

test("a place given back twice is given back once", async () => {
  const semaphore = new Semaphore(1);
  const release = await semaphore.acquire();
  release();
  release();
  const first = await semaphore.acquire();
  let second = false;
  void semaphore.acquire().then(() => (second = true));
  await sleep(10);
  assert.equal(second, false, "the double release did not free a second place");
  first();
});
