/** The local store's file of an execution (in its workspace folder). */
export const OUTPUT_FILE = 'output.sqlite';
/** The report of an execution (in its workspace folder). */
export const REPORT_FILE = 'report.json';
