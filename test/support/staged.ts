/** The bytes a staged file puts into the package: the engine's own reader. */
export { readStagedBytes as stagedBytes } from "../../engine/stage/bytes";
