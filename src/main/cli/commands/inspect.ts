import type { Command } from 'commander';
import { describeSource, parseSourceString, type DatasetMetadata, type Relationship, type SensitiveHit } from '../../../shared';
import { openSource } from '../../../data/sources/connector';
import { introspectWithSensitive } from '../../../data/sensitive/introspect';
import { emptyForeignKeys } from '../../../data/introspection/data-facts';
import { action, printJson } from '../context';

/**
 * Introspects a source given on the command line (a password in a URL is used for this run only);
 * with `emptyKeys`, also which FKs of tables with several have empty values (for `doppel init`).
 */
export async function inspectSource(
  source: string,
  opts: { emptyKeys?: boolean } = {},
): Promise<{ source: string; metadata: DatasetMetadata; sensitive: SensitiveHit[]; emptyKeys: Relationship[] }> {
  const spec = parseSourceString(source);
  const c = await openSource(spec);
  try {
    const inspected = await introspectWithSensitive(c);
    const emptyKeys = opts.emptyKeys ? await emptyForeignKeys(c, inspected.metadata) : [];
    return { source: describeSource(spec), ...inspected, emptyKeys };
  } finally {
    await c.close();
  }
}

function printHuman(r: Awaited<ReturnType<typeof inspectSource>>): void {
  const out: string[] = [`${r.source}: ${r.metadata.tables.length} table(s)`];
  for (const t of r.metadata.tables) {
    out.push(
      '',
      `${t.name}  (${t.rowCount.toLocaleString('en-US')} rows${t.primaryKey.length ? `, primary key ${t.primaryKey.join(', ')}` : ', no primary key'})`,
    );
    for (const c of t.columns) {
      const hit = r.sensitive.find((h) => h.table === t.name && h.column === c.name);
      out.push(`  ${c.name.padEnd(28)} ${c.storageType.padEnd(9)} ${c.sdtype.padEnd(12)}${hit ? ` sensitive: ${hit.kind} → ${hit.suggestedTreatment}` : ''}`);
    }
  }
  if (r.metadata.relationships.length) {
    out.push('', 'Foreign keys:');
    for (const fk of r.metadata.relationships) {
      out.push(
        `  ${fk.childTable}(${fk.childColumns.join(', ')}) → ${fk.parentTable}(${fk.parentColumns.join(', ')})${fk.origin === 'inferred' ? '  [inferred]' : ''}`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('tables, columns, types, keys and row counts of a source')
    .argument('<source>', 'a file, a folder, sqlite:<path>, postgres://… or mysql://…')
    .option('--json', 'print JSON')
    .action(
      action(async (source: string, opts: { json?: boolean }) => {
        const r = await inspectSource(source);
        if (opts.json) printJson(r);
        else printHuman(r);
      }),
    );
}
