/** The report files of an execution workspace (no imports: the CLI reads these names without loading the renderer). */
export const REPORT_JSON = 'report.json';
export const REPORT_HTML = 'report.html';
