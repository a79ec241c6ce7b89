import { useEffect, useState } from 'react';
import { Alert, Button, Group, Paper, Radio, Select, Stack, Text } from '@mantine/core';
import { DEFAULT_CONSTRAINTS, describeSource, isServerSpec, type ConstraintMode, type Destination, type SourceSpec, type TableMode } from '../../../../shared';
import { AddSourceModal, targetOfRecord as targetOf } from '../../sources/components/add-source-modal';
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

const constraintHelp: Record<ConstraintMode, { label: string; help: string }> = {
  'during-load': {
    label: 'Enforced while writing',
    help: 'Foreign keys and their indexes exist before the rows go in; every row is checked as it is written.',
  },
  'after-load': {
    label: 'Added after the load (faster)',
    help: 'Rows go in first; the indexes and foreign keys are added at the end, in the same all-or-nothing write.',
  },
  off: { label: 'Left off', help: 'No foreign keys or indexes on the created tables (primary keys stay).' },
};

/** The destination with the password of an unsaved one, for the check (never kept in the config). */
export function withPassword(dest: Destination, password: string | null): Destination {
  if (dest.kind !== 'database' || !password || !isServerSpec(dest.target)) return dest;
  return { ...dest, target: { ...dest.target, password } };
}

/** Step 6: local store (default) or a database, the table mode, the constraints, and the write check. */
export function DestinationStep() {
  const config = useWizard((s) => s.config);
  const update = useWizard((s) => s.update);
  const sources = useSources((s) => s.sources);
  const loadSources = useSources((s) => s.load);
  const [confirmTruncate, setConfirmTruncate] = useState(false);
  const [check, setCheck] = useState<{ ok: boolean; message: string; fix?: string } | null>(null);
  const [checking, setChecking] = useState(false);
  const [entering, setEntering] = useState(false);
  const password = useWizard((s) => s.destinationPassword);
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
      const r = await call('destinations.check', { destination: withPassword(dest, password), config });
      setCheck(r);
    } catch (e) {
      setCheck({ ok: false, ...errorText(e) });
    } finally {
      setChecking(false);
    }
  };

  /** A database as the target: saved (by id) or entered (its password kept in memory for this session). */
  const chooseTarget = (target: SourceSpec, pw?: string) => {
    setCheck(null);
    useWizard.setState({ destinationPassword: pw ?? null });
    update((c) =>
      setDestination(
        c,
        c.destination.kind === 'database'
          ? { ...c.destination, target }
          : { kind: 'database', target, tableMode: 'create', batchSize: 10_000, parallel: 1, constraints: DEFAULT_CONSTRAINTS },
      ),
    );
  };

  return (
    <Stack gap="md">
      <Radio.Group
        value={dest.kind}
        onChange={(v) => {
          setCheck(null);
          if (v === 'local') update((c) => setDestination(c, { kind: 'local' }));
          else if (databases[0]) chooseTarget(targetOf(databases[0]));
          else setEntering(true);
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
            description="PostgreSQL, MySQL/MariaDB or SQLite, saved or entered here (an empty database is fine); write access is checked before training."
          />
        </Stack>
      </Radio.Group>
      {dest.kind === 'database' ? (
        <Paper withBorder p="md">
          <Stack gap="sm">
            <Group align="end">
              {databases.length ? (
                <Select
                  label="Saved database"
                  placeholder={currentTarget ? undefined : 'Entered below'}
                  data={databases.map((s) => ({ value: s.id, label: `${s.name} — ${describeSource(s.spec)}` }))}
                  value={currentTarget?.id ?? null}
                  allowDeselect={false}
                  onChange={(id) => {
                    const s = databases.find((d) => d.id === id);
                    if (s) chooseTarget(targetOf(s));
                  }}
                  w={420}
                />
              ) : null}
              <Button variant="default" onClick={() => setEntering(true)}>
                Enter a database…
              </Button>
            </Group>
            {!currentTarget ? (
              <Text size="sm" data-testid="entered-destination">
                <b>Writing to:</b> {describeSource(dest.target)}
                {password ? ' (password kept for this session only)' : ''}
              </Text>
            ) : null}
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
            <Radio.Group
              label="Foreign keys and indexes of created tables"
              description="Referential integrity is checked before the write is kept, whichever you choose."
              value={dest.constraints ?? DEFAULT_CONSTRAINTS}
              onChange={(v) => update((c) => setDestination(c, { ...dest, constraints: v as ConstraintMode }))}
            >
              <Stack gap={6} mt={6}>
                {(['after-load', 'during-load', 'off'] as const).map((m) => (
                  <Radio key={m} value={m} label={constraintHelp[m].label} description={constraintHelp[m].help} />
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
      <AddSourceModal opened={entering} onClose={() => setEntering(false)} purpose="destination" onUse={chooseTarget} />
      <ConfirmModal
        opened={confirmTruncate}
        onClose={() => setConfirmTruncate(false)}
        title="Empty the existing tables?"
        confirmLabel="Yes, truncate"
        onConfirm={() => dest.kind === 'database' && update((c) => setDestination(c, { ...dest, tableMode: 'truncate' }))}
      >
        With “truncate”, every existing table of the output in <b>{dest.kind === 'database' ? describeSource(dest.target) : 'the database'}</b> is emptied
        before the synthetic rows are written. Its current rows are lost.
      </ConfirmModal>
    </Stack>
  );
}
