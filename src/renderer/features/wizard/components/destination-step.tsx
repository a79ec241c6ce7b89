import { useEffect, useState } from 'react';
import { Alert, Button, Group, Paper, Radio, Select, Stack, Text } from '@mantine/core';
import { describeSource, type SourceRecord, type SourceSpec, type TableMode } from '../../../../shared';

/** A stored database source as a destination target (its password stays in main, by id). */
function targetOf(s: SourceRecord): SourceSpec {
  return s.spec.kind === 'postgres' || s.spec.kind === 'mysql' ? { ...s.spec, connectionId: s.id } : s.spec;
}
import { call, errorText } from '../../../lib/api';
import { useSources } from '../../sources/store';
import { useWizard } from '../store';
import { setDestination } from '../config-edit';
import { ConfirmModal } from '../../../components/confirm-modal';

const modeHelp: Record<TableMode, string> = {
  create: 'Create the tables (with keys); fails if a table already exists.',
  'write-into-empty': 'Write into existing, empty tables of the same structure.',
  truncate: 'Empty existing tables first, then write. Their current rows are lost.',
};

/** Step 6: local store (default) or a database, the table mode, and the write check. */
export function DestinationStep() {
  const config = useWizard((s) => s.config);
  const update = useWizard((s) => s.update);
  const sources = useSources((s) => s.sources);
  const loadSources = useSources((s) => s.load);
  const [confirmTruncate, setConfirmTruncate] = useState(false);
  const [check, setCheck] = useState<{ ok: boolean; message: string; fix?: string } | null>(null);
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    void loadSources().catch(() => undefined);
  }, [loadSources]);
  if (!config) return null;
  const dest = config.destination;
  const databases = sources.filter((s) => s.spec.kind !== 'files');
  const currentTarget =
    dest.kind === 'database' ? databases.find((s) => s.spec.kind === dest.target.kind && describeSource(s.spec) === describeSource(dest.target)) : undefined;

  const runCheck = async () => {
    setChecking(true);
    try {
      const r = await call('destinations.check', { destination: dest, config });
      setCheck(r);
    } catch (e) {
      setCheck({ ok: false, ...errorText(e) });
    } finally {
      setChecking(false);
    }
  };

  return (
    <Stack gap="md">
      <Radio.Group
        value={dest.kind}
        onChange={(v) => {
          setCheck(null);
          if (v === 'local') update((c) => setDestination(c, { kind: 'local' }));
          else if (databases[0])
            update((c) => setDestination(c, { kind: 'database', target: targetOf(databases[0]!), tableMode: 'create', batchSize: 10_000, parallel: 1 }));
        }}
        label="Where should the synthetic data be written?"
      >
        <Stack gap="xs" mt="xs">
          <Radio
            value="local"
            label="Doppel’s local store (recommended)"
            description="Kept with the execution on this computer; preview and download it any time."
          />
          <Radio
            value="database"
            label="An existing database"
            disabled={databases.length === 0}
            description={
              databases.length === 0
                ? 'Add a database connection under Sources first.'
                : 'PostgreSQL, MySQL/MariaDB or SQLite; write access is checked before training.'
            }
          />
        </Stack>
      </Radio.Group>
      {dest.kind === 'database' ? (
        <Paper withBorder p="md">
          <Stack gap="sm">
            <Select
              label="Database"
              data={databases.map((s) => ({ value: s.id, label: `${s.name} — ${describeSource(s.spec)}` }))}
              value={currentTarget?.id ?? null}
              allowDeselect={false}
              onChange={(id) => {
                const s = databases.find((d) => d.id === id);
                if (s) update((c) => setDestination(c, { ...dest, target: targetOf(s) }));
                setCheck(null);
              }}
            />
            <Radio.Group
              label="Table mode"
              value={dest.tableMode}
              onChange={(v) => {
                setCheck(null);
                if (v === 'truncate') setConfirmTruncate(true);
                else update((c) => setDestination(c, { ...dest, tableMode: v as TableMode }));
              }}
            >
              <Stack gap={6} mt={6}>
                {(['create', 'write-into-empty', 'truncate'] as const).map((m) => (
                  <Radio
                    key={m}
                    value={m}
                    label={m === 'create' ? 'Create tables' : m === 'write-into-empty' ? 'Write into empty tables' : 'Truncate existing tables'}
                    description={modeHelp[m]}
                  />
                ))}
              </Stack>
            </Radio.Group>
            <Group>
              <Button variant="default" onClick={runCheck} loading={checking}>
                Check write access
              </Button>
              <Text size="xs" c="dimmed">
                The same check runs again before the first step.
              </Text>
            </Group>
            {check ? (
              <Alert color={check.ok ? 'green' : 'red'} title={check.ok ? 'Ready to write' : 'Cannot write there'}>
                {check.message}
                {check.fix ? (
                  <Text size="sm" fw={500} mt={4}>
                    {check.fix}
                  </Text>
                ) : null}
              </Alert>
            ) : null}
          </Stack>
        </Paper>
      ) : null}
      <ConfirmModal
        opened={confirmTruncate}
        onClose={() => setConfirmTruncate(false)}
        title="Empty the existing tables?"
        confirmLabel="Yes, truncate"
        onConfirm={() => dest.kind === 'database' && update((c) => setDestination(c, { ...dest, tableMode: 'truncate' }))}
      >
        With “truncate”, every existing table of the output in <b>{currentTarget ? describeSource(currentTarget.spec) : 'the database'}</b> is emptied before
        the synthetic rows are written. Its current rows are lost.
      </ConfirmModal>
    </Stack>
  );
}
