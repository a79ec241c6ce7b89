/** The local store's file of an execution (in its workspace folder). */
export const OUTPUT_FILE = 'output.sqlite';
