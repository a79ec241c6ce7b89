import type { DatasetMetadata, SensitiveHit, SourceSpec, SynthesisConfig } from '../../shared';
import { AppError, describeSource } from '../../shared';
import type { DataFacts } from '../../shared/defaults';
import { isServerSpec } from '../../data/dialects';
import { openSource, type SourceConnector } from '../../data/sources/connector';
import { computeDataFacts } from '../../data/introspection/data-facts';
import { introspectWithSensitive } from '../../data/sensitive/introspect';
import type { ProjectStore } from '../../data/store/types';

export interface Inspection {
  metadata: DatasetMetadata;
  sensitive: SensitiveHit[];
}

/**
 * Opens sources with the right password (given, stored encrypted under `connectionId` — for the
 * server it was saved with only —, or from PGPASSWORD / MYSQL_PWD in the connector) and caches
 * introspection per source for the session.
 */
export class SourceAccess {
  private readonly cache = new Map<string, Promise<Inspection>>();

  constructor(private readonly store: ProjectStore) {}

  passwordFor(spec: SourceSpec): string | undefined {
    if (!isServerSpec(spec)) return undefined;
    if (spec.password) return spec.password;
    if (spec.connectionId) return this.store.sources.password(spec.connectionId, spec);
    return undefined;
  }

  open(spec: SourceSpec): Promise<SourceConnector> {
    return openSource(spec, { password: this.passwordFor(spec) });
  }

  async with<T>(spec: SourceSpec, fn: (c: SourceConnector) => Promise<T>): Promise<T> {
    const c = await this.open(spec);
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  }

  /** Metadata (declared or inferred keys) and sensitive-column hits; cached unless `fresh`. */
  inspect(spec: SourceSpec, opts: { fresh?: boolean } = {}): Promise<Inspection> {
    const key = describeSource(spec) + (isServerSpec(spec) ? `#${spec.connectionId ?? ''}` : '');
    const hit = this.cache.get(key);
    if (hit && !opts.fresh) return hit;
    const p = this.with(spec, introspectWithSensitive);
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    return p;
  }

  /** Facts the validations need from the data (row counts, PK duplicates and nulls). */
  facts(config: SynthesisConfig): Promise<DataFacts> {
    return this.with(config.source, (c) => computeDataFacts(c, config));
  }

  forget(spec: SourceSpec): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(describeSource(spec))) this.cache.delete(k);
  }
}

export function notEmpty(metadata: DatasetMetadata, spec: SourceSpec): void {
  if (metadata.tables.length === 0) {
    throw new AppError('SOURCE_EMPTY', `${describeSource(spec)} has no tables.`, {
      fix: 'Pick a file with data, a folder with CSV/XLSX/ODS/Parquet files, or a database with tables.',
    });
  }
}
