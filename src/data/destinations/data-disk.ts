/**
 * Where a destination database keeps its files, when that is a folder of this machine: the data
 * directory of a PostgreSQL or MySQL/MariaDB server on a loopback host (as the server reports it,
 * if the user may read it), or a SQLite file's folder. The resource guard measures the free space
 * there. A server elsewhere gives null: its disk cannot be measured from here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isLoopbackHost } from '../../shared/source';
import { dialectOf, isServerSpec } from '../dialects';
import { destinationSpec, type DatabaseDestination } from './check';
import { openSession } from './session';

export async function destinationDataDir(destination: DatabaseDestination, password: string | undefined): Promise<string | null> {
  const spec = destinationSpec(destination);
  const d = dialectOf(spec.kind);
  const file = d.fileOf(spec);
  if (file !== null) {
    const dir = path.dirname(path.resolve(file));
    return existsSync(dir) ? dir : null;
  }
  const sql = d.dataDirectorySql;
  if (!sql || !isServerSpec(spec) || !isLoopbackHost(spec.host)) return null;
  const s = await openSession(spec, password, { create: false }).catch(() => null);
  if (!s) return null;
  try {
    const [r] = await s.query(sql);
    const dir = typeof r?.d === 'string' && r.d ? r.d : null;
    return dir && existsSync(dir) ? dir : null;
  } catch {
    return null;
  } finally {
    await s.close();
  }
}
