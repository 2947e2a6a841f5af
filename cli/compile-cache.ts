/**
 * Imported first by the CLI, before the modules it loads: V8's compiled code
 * for them is kept in Node's compile cache (a directory under the system's
 * temporary directory, or $NODE_COMPILE_CACHE), so that every command after
 * the first starts without compiling the engine and its libraries again,
 * about 50 ms of a build that otherwise waits on it. Node checks each entry
 * against its file's contents, so an upgrade never runs stale code, and
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off. A test or a program that
 * imports the CLI's module keeps its own setting.
 */
import nodeModule from "node:module";
import path from "node:path";

if (require.main?.filename === path.join(__dirname, "main.js")) nodeModule.enableCompileCache?.();
