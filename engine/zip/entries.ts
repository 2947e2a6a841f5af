import type yauzl from "yauzl";

/**
 * The next entry of a zip opened with `lazyEntries`, or undefined at its
 * end: yauzl's events as one promise, the listeners removed whichever fires,
 * so reading entry by entry leaves none behind. A read error becomes
 * `failure(error)`, the caller's message for it.
 */
export function nextEntry(
  zip: yauzl.ZipFile,
  failure: (error: Error) => Error,
): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () =>
      zip.removeAllListeners("entry").removeAllListeners("end").removeAllListeners("error");
    zip.once("error", (error: Error) => (cleanup(), reject(failure(error))));
    zip.once("entry", (entry: yauzl.Entry) => (cleanup(), resolve(entry)));
    zip.once("end", () => (cleanup(), resolve(undefined)));
    zip.readEntry();
  });
}
