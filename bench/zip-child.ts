/**
 * One run of our zipper in a process of its own, so its peak RSS is its own:
 * `node dist/bench/zip-child.js <tree> <out.zip> [level] [concurrency]`.
 * Prints a JSON line with the zip's size and the process's peak RSS.
 */
import { writeZip } from "../engine/zip";
import { walkTree } from "./tree-walk";

async function main(): Promise<void> {
  const [tree, out, level, concurrency] = process.argv.slice(2);
  const files = walkTree(tree);
  const result = await writeZip(files, out, {
    level: level === undefined ? 9 : Number(level),
    mtime: 315532800,
    concurrency: concurrency === undefined ? undefined : Number(concurrency),
  });
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ size: result.size, files: result.fileCount, maxRssMb }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
