/**
 * The file names inside an execution's workspace folder (no imports: the CLI and main read these
 * names without loading the engine or the report renderer).
 */
/** The local store of the synthetic tables. */
export const OUTPUT_FILE = 'output.sqlite';
/**
 * The original-data tables of a run whose output went into its destination only (generated on
 * the site's workers), as copied: a later generation copies them from here.
 */
export const ORIGINALS_FILE = 'originals.sqlite';
/** The report, as data and as a self-contained page. */
export const REPORT_JSON = 'report.json';
export const REPORT_HTML = 'report.html';
/** The effective settings the engine applied per table and column (shared/effective-settings.ts). */
export const SETTINGS_JSON = 'settings.json';
