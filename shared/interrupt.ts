/**
 * Clean-up on SIGINT, SIGTERM and SIGHUP. Pulumi stops a provider by sending
 * SIGINT to its process group and SIGKILL five seconds later; a CI runner
 * that cancels a job sends SIGTERM. Whatever is running then (a packager's
 * process group, a work dir, a multipart upload) registers how to undo itself
 * here; on a signal every clean-up runs, bounded in time, and the process
 * then ends by that signal as it would have without us.
 */

type Cleanup = () => Promise<void> | void;

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** Inside Pulumi's five seconds between its SIGINT and its SIGKILL. */
const CLEANUP_BUDGET_MS = 4_000;

const cleanups = new Set<Cleanup>();
let interrupted: NodeJS.Signals | undefined;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = signal;
  const all = Promise.allSettled([...cleanups].map(async (cleanup) => cleanup()));
  const budget = new Promise((resolve) => setTimeout(resolve, CLEANUP_BUDGET_MS).unref());
  void Promise.race([all, budget]).then(() => {
    for (const name of SIGNALS) process.removeListener(name, onSignal);
    process.kill(process.pid, signal);
  });
}

/**
 * Registers `cleanup` to run if the process is interrupted before the
 * returned function is called; call it when the work is done.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) for (const name of SIGNALS) process.on(name, onSignal);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0 && !interrupted)
      for (const name of SIGNALS) process.removeListener(name, onSignal);
  };
}

/** The signal that is ending this process, if one is. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return interrupted;
}
