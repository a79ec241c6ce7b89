/** Identifier quoting: PostgreSQL and SQLite use double quotes, MySQL/MariaDB backquotes (a quote inside is doubled). */
export const doubleQuoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const backquoted = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
