/**
 * Every code a `LambdaPackageError` can carry, by where it arises. Callers
 * (the CLI, the provider, users' programs) switch on these; the message is
 * for people.
 */
export type ErrorCode =
  // Inputs and options, checked before any work.
  | `BAD_${string}`
  | "RUNTIME_REQUIRED"
  | "UNKNOWN_RUNTIME"
  | "ENV_RESERVED"
  // The source and the packager.
  | "SOURCE_MISSING"
  | "SOURCE_NOT_DIRECTORY"
  | "SOURCE_EMPTY"
  | "PACKAGERS_DIR_NOT_FOUND"
  | "PACKAGER_NOT_FOUND"
  | "PACKAGER_NOT_EXECUTABLE"
  | "PACKAGER_FAILED"
  | "PACKAGER_TIMEOUT"
  // The nodejs packagers: bundling, package managers, workspaces.
  | "BUNDLE_ENTRY_MISSING"
  | "TYPESCRIPT_WITHOUT_BUNDLE"
  | "BUNDLE_FAILED"
  | "LOCKFILE_AMBIGUOUS"
  | "PACKAGE_JSON_INVALID"
  | "PACKAGE_MANAGER_INVALID"
  | "PACKAGE_MANAGER_MISSING"
  | "INSTALL_FAILED"
  | "NODE_MODULE_MISSING"
  // Python dependencies: the runtime, the lockfile, the wheels for Lambda.
  | "PYTHON_RUNTIME_UNKNOWN"
  | "PYTHON_LOCK_INVALID"
  | "PYTHON_LOCK_UNSUPPORTED"
  | "PYTHON_LOCK_STALE"
  | "PYTHON_VERSION_MISMATCH"
  | "PYTHON_GROUP_UNKNOWN"
  | "PYTHON_EXTRA_UNKNOWN"
  | "PYTHON_NO_WHEEL"
  | "PYTHON_NATIVE_BUILD"
  | "PYTHON_HASH_MISMATCH"
  | "PYTHON_INSTALL_FAILED"
  | "PYTHON_LOCK_MISSING"
  | "PYTHON_SOURCE_OUTSIDE"
  // What the packager staged.
  | "PACKAGE_ZIP_CORRUPT"
  | "SOURCE_MANIFEST_INVALID"
  | "PACKAGE_PATH_CONFLICT"
  | "PACKAGE_EMPTY"
  | "PACKAGE_TOO_LARGE"
  | "PACKAGE_OVER_BUDGET"
  | "HANDLER_NOT_FOUND"
  | "SYMLINK_BROKEN"
  | "SYMLINK_ESCAPES"
  | "SYMLINK_LOOP"
  // The native-code audit.
  | "NATIVE_INCOMPATIBLE"
  | "AUDIT_UNREADABLE"
  // Writing the zip.
  | "ZIP_BAD_ENTRY_NAME"
  | "ZIP_BAD_ENTRY_SIZE"
  | "ZIP_DUPLICATE_ENTRY"
  | "ZIP_FILE_CHANGED"
  | "ZIP_READ_FAILED"
  | "ZIP_WRITE_FAILED"
  | "NOT_REPRODUCIBLE"
  // Reading a zip's central directory.
  | "ZIP_NOT_A_ZIP"
  | "ZIP_DIRECTORY_CORRUPT"
  | "ZIP_UNSUPPORTED"
  // A source key from git.
  | "GIT_NOT_FOUND"
  | "GIT_NOT_A_WORK_TREE"
  | "GIT_NO_COMMIT"
  | "GIT_PATH_NOT_FOUND"
  | "GIT_PATH_NOT_TRACKED"
  | "GIT_FAILED"
  // S3.
  | "S3_SETTINGS_INVALID"
  | "S3_OBJECT_INVALID"
  | "S3_REQUEST_FAILED"
  | "S3_OBJECT_NOT_FOUND"
  | "CREDENTIALS"
  | "ACCESS_DENIED"
  | "BUCKET_NOT_FOUND"
  | "BUCKET_WRONG_REGION"
  | "VERSIONING_NOT_ENABLED"
  | "VERSION_ID_MISSING"
  | "ARTIFACT_MISSING"
  | "ARTIFACT_CHANGED"
  | "IMMUTABLE_KEY_TAKEN"
  | "IMMUTABLE_KEY_CONFLICT";

/**
 * The one error type thrown for problems a user can fix, by the engine and
 * the provider alike. The message always names the field or path, says what
 * was wrong and what to do.
 */
export class LambdaPackageError extends Error {
  override readonly name = "LambdaPackageError";

  /** The option or input the problem is about, when it is about one: `sourcePath`, `runtime`, ... */
  readonly field?: string;

  constructor(
    /** Stable machine-readable code, e.g. `SOURCE_MISSING`, `PACKAGER_FAILED`. */
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; field?: string },
  ) {
    super(message, options);
    this.field = options?.field;
  }
}
