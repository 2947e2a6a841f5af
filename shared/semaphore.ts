/**
 * A counting semaphore: at most `size` holders at once, the rest wait in
 * order. The process-wide bounds on builds and uploads are made of it, so a
 * stack of many functions queues its work instead of running all of it at
 * once.
 */
export class Semaphore {
  private holders = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  /**
   * Waits for a place and returns the function that gives it back. `onWait`
   * is told, once, when the caller has to wait, with how many hold places and
   * how many wait before it.
   */
  async acquire(onWait?: (holders: number, ahead: number) => void): Promise<() => void> {
    if (this.holders < this.size) {
      this.holders++;
    } else {
      onWait?.(this.holders, this.waiting.length);
      // A released place passes straight to the next in line: holders stays the same.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.holders--;
    };
  }

  /** Runs `work` holding a place. */
  async run<T>(
    work: () => Promise<T>,
    onWait?: (holders: number, ahead: number) => void,
  ): Promise<T> {
    const release = await this.acquire(onWait);
    try {
      return await work();
    } finally {
      release();
    }
  }
}
