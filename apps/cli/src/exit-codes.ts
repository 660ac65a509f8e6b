/** The CLI's exit codes, a contract scripts depend on (docs/cli.md). */
export const EXIT_SUCCESS = 0;
/** Failure: nothing was finalized. */
export const EXIT_FAILURE = 1;
/** Usage, configuration or authentication error. */
export const EXIT_USAGE = 2;
/** Partial success: some steps failed and their types are reported as partial. */
export const EXIT_PARTIAL = 3;
