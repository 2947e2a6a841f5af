/** Source keys from git: what changed under a function's paths, from git's own object ids. */
export { gitSourceKey, gitSourceKeys, type GitSourceKeyOptions } from "./source-key";
