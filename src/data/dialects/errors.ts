import { AppError } from '../../shared/errors';
import { describeSource, type SourceSpec } from '../../shared/source';

function field(e: unknown, key: string): unknown {
  return typeof e === 'object' && e !== null && key in e ? (e as Record<string, unknown>)[key] : undefined;
}

/** Turns a driver error into an AppError naming the source and the fix; never includes the password. */
export function dbError(e: unknown, spec: SourceSpec, what: string, table?: string): AppError {
  if (e instanceof AppError) return e;
  const src = describeSource(spec);
  const code = String(field(e, 'code') ?? '');
  const errno = Number(field(e, 'errno') ?? 0);
  const raw = e instanceof Error ? e.message : String(e);
  const password = 'password' in spec ? spec.password : undefined;
  const message = password ? raw.split(password).join('***') : raw;
  const nested = field(e, 'errors');
  const nestedCodes = Array.isArray(nested) ? nested.map((x) => String(field(x, 'code') ?? '')) : [];
  const netCodes = ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST'];
  if (netCodes.includes(code) || nestedCodes.some((c) => netCodes.includes(c)) || /timeout expired|connect ETIMEDOUT|Connection terminated/i.test(message)) {
    return new AppError('DB_UNREACHABLE', `Cannot reach the database server of ${src} (${code || message}).`, {
      fix: 'Check that the server is running and that host and port are right (and that no firewall blocks it).',
    });
  }
  if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR' || errno === 1045 || /password authentication failed/i.test(message)) {
    return new AppError('DB_AUTH_FAILED', `The server refused the user name or password for ${src}.`, {
      fix: 'Check the user name, then enter the password again (it is case-sensitive).',
    });
  }
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR' || errno === 1049) {
    return new AppError('DB_NOT_FOUND', `The database of ${src} does not exist on the server.`, {
      fix: 'Check the database name in the source (it is case-sensitive on most servers).',
    });
  }
  if (code === '42P01' || code === 'ER_NO_SUCH_TABLE' || errno === 1146 || /no such table/i.test(message)) {
    return new AppError('TABLE_NOT_FOUND', `Table "${table ?? '?'}" was not found in ${src}.`, {
      fix: 'Inspect the source again and pick one of the tables it lists.',
    });
  }
  if (code === '42501' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_TABLEACCESS_DENIED_ERROR' || errno === 1044 || errno === 1142) {
    return new AppError('DB_PERMISSION_DENIED', `The user of ${src} may not ${what}.`, {
      fix: 'Grant the user SELECT on the tables to read, or use another user.',
    });
  }
  if (code === 'SQLITE_NOTADB' || /file is not a database/i.test(message)) {
    return new AppError('SOURCE_MALFORMED', `${src} is not a SQLite database file.`, { fix: 'Pick a SQLite database file (.sqlite, .db).' });
  }
  if (code === 'SQLITE_CANTOPEN' || /unable to open database|does not exist/i.test(message)) {
    return new AppError('SOURCE_NOT_FOUND', `Cannot open ${src}.`, { fix: 'Check the path of the SQLite file.' });
  }
  return new AppError('DB_ERROR', `Could not ${what} in ${src}: ${message}`, {
    fix: 'Check the database and the user rights; the message above comes from the server.',
  });
}
