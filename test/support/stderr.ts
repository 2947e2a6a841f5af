/** Collects what is written to stderr while `fn` runs (the provider logs there), and passes it on. */
export async function capturingStderr<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; text: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = "";
  process.stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  try {
    return { value: await fn(), text };
  } finally {
    process.stderr.write = write;
  }
}
