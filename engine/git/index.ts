/** Source keys from git: what changed under a function's paths, from git's own object ids. */
export { gitSourceKey, type GitSourceKeyOptions } from "./source-key";
