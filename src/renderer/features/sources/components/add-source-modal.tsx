import { useState } from 'react';
import { Alert, Button, Group, Modal, NumberInput, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import {
  DB_KINDS,
  KIND_FACTS,
  isFileDbKind,
  isServerKind,
  isServerSpec,
  parseSourceString,
  redactUrl,
  withoutSecrets,
  type DbSourceSpec,
  type SourceRecord,
  type SourceSpec,
} from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { useSources } from '../store';

type Kind = SourceSpec['kind'];

interface Fields {
  name: string;
  path: string;
  host: string;
  port: number | string;
  user: string;
  password: string;
  database: string;
  schema: string;
}

const empty: Fields = { name: '', path: '', host: '127.0.0.1', port: '', user: '', password: '', database: '', schema: '' };
const emptyDestination: Fields = { ...empty, user: KIND_FACTS.postgres.server.user };

export function specOf(kind: Kind, f: Fields): SourceSpec {
  if (!isServerKind(kind)) return { kind, path: f.path.trim() };
  const spec: DbSourceSpec = { kind, host: f.host.trim() || '127.0.0.1', user: f.user.trim(), database: f.database.trim() };
  if (typeof f.port === 'number') spec.port = f.port;
  if (f.password) spec.password = f.password;
  if (KIND_FACTS[kind].defaultSchema !== null && f.schema.trim()) spec.schema = f.schema.trim();
  return spec;
}

/** A database URL (postgres://…, mysql://…, mariadb://…) split into the dialog's fields, or null when the text is not one. */
export function fieldsOfUrl(text: string): { kind: DbSourceSpec['kind']; fields: Partial<Fields> } | { error: string } | null {
  if (!/^(postgres(?:ql)?|mysql|mariadb):\/\//i.test(text.trim())) return null;
  try {
    const spec = parseSourceString(text);
    if (!isServerSpec(spec)) return null;
    return {
      kind: spec.kind,
      fields: {
        host: spec.host,
        port: spec.port ?? '',
        user: spec.user,
        password: spec.password ?? '',
        database: spec.database,
        schema: KIND_FACTS[spec.kind].defaultSchema !== null ? (spec.schema ?? '') : '',
      },
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function missing(kind: Kind, f: Fields): string | null {
  if (isServerKind(kind)) return f.database.trim() ? null : 'Enter the database name.';
  if (f.path.trim()) return null;
  return isFileDbKind(kind) ? `Enter the path of the ${KIND_FACTS[kind].label} file.` : 'Enter the path of a file or folder.';
  return null;
}

/** A saved database as a destination target: its password stays in main, named by the record's id. */
export function targetOfRecord(s: SourceRecord): SourceSpec {
  return isServerSpec(s.spec) ? { ...s.spec, connectionId: s.id } : s.spec;
}

/**
 * Adds a source; with `purpose` "destination", picks a database to write into instead: an empty
 * database is fine, and it can be used without saving it (`onUse` gets the spec without its
 * password, and the password for this run).
 */
export function AddSourceModal({
  opened,
  onClose,
  purpose = 'source',
  onUse,
}: {
  opened: boolean;
  onClose: () => void;
  purpose?: 'source' | 'destination';
  onUse?: (target: SourceSpec, password?: string) => void;
}) {
  const add = useSources((s) => s.add);
  const destination = purpose === 'destination';
  const [kind, setKind] = useState<Kind>(destination ? 'postgres' : 'files');
  const [f, setF] = useState<Fields>(destination ? emptyDestination : empty);
  const [busy, setBusy] = useState<'test' | 'add' | 'use' | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string; fix?: string } | null>(null);
  const set = (k: keyof Fields) => (v: string | number) => {
    setF((old) => ({ ...old, [k]: v }));
    setResult(null);
  };
  const problem = missing(kind, f);
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  /**
   * Takes a pasted URL apart into kind, host, port, user, password, database and schema. Returns
   * false when the text is not a database URL; a URL that does not parse is named on `showError`.
   */
  const applyUrl = (text: string, showError = false): boolean => {
    const parsed = fieldsOfUrl(text);
    if (parsed === null) return false;
    if ('error' in parsed) {
      if (showError) setUrlError(parsed.error);
      return true;
    }
    setUrlError(null);
    // The URL field shows the password masked; re-reading the masked text keeps the real one.
    if (parsed.fields.password === '***') delete parsed.fields.password;
    setKind(parsed.kind);
    setF((old) => ({ ...old, ...parsed.fields }));
    setResult(null);
    return true;
  };

  const test = async () => {
    setBusy('test');
    try {
      const r = await call('sources.test', destination ? { spec: specOf(kind, f), destination: true } : { spec: specOf(kind, f) });
      const found = `${r.tables} table${r.tables === 1 ? '' : 's'} found`;
      setResult({ ok: true, message: `Connection works: ${found}${destination && r.tables === 0 ? ' (an empty database is a fine destination)' : ''}.` });
    } catch (e) {
      setResult({ ok: false, ...errorText(e) });
    } finally {
      setBusy(null);
    }
  };
  const use = () => {
    const spec = specOf(kind, f);
    const password = isServerSpec(spec) ? spec.password : undefined;
    onUse?.(withoutSecrets(spec), password);
    setF(destination ? emptyDestination : empty);
    setUrl('');
    setResult(null);
    onClose();
  };
  const submit = async () => {
    setBusy('add');
    try {
      const record = await add(specOf(kind, f), f.name.trim() || undefined, destination ? { destination: true } : {});
      if (destination) onUse?.(targetOfRecord(record));
      setF(destination ? emptyDestination : empty);
      setResult(null);
      onClose();
    } catch (e) {
      setResult({ ok: false, ...errorText(e) });
    } finally {
      setBusy(null);
    }
  };

  const server = isServerKind(kind) ? KIND_FACTS[kind] : null;
  return (
    <Modal opened={opened} onClose={onClose} title={destination ? 'Destination database' : 'Add a source'} size="lg">
      <Stack gap="sm">
        <SegmentedControl
          value={kind}
          onChange={(v) => {
            setKind(v as Kind);
            setResult(null);
            const picked = v as Kind;
            if (isServerKind(picked) && !f.user) setF((o) => ({ ...o, user: KIND_FACTS[picked].server.user }));
          }}
          data={[...(destination ? [] : [{ value: 'files', label: 'Files / folder' }]), ...DB_KINDS.map((k) => ({ value: k, label: KIND_FACTS[k].label }))]}
          aria-label={destination ? 'Destination kind' : 'Source kind'}
        />
        <TextInput label="Name" placeholder="Shown in lists (optional)" value={f.name} onChange={(e) => set('name')(e.currentTarget.value)} />
        {!server ? (
          <TextInput
            label={isFileDbKind(kind) ? `${KIND_FACTS[kind].label} file path` : 'File or folder path'}
            description={
              kind === 'files'
                ? 'CSV, TSV, XLSX, ODS or Parquet; a folder gives one table per file.'
                : destination
                  ? 'A .sqlite / .db file on this computer; a new file is created.'
                  : 'A .sqlite / .db file on this computer.'
            }
            placeholder={kind === 'files' ? '/data/customers.csv' : '/data/shop.sqlite'}
            value={f.path}
            onChange={(e) => set('path')(e.currentTarget.value)}
            data-autofocus
            required
          />
        ) : (
          <>
            <TextInput
              label="Connection URL"
              description="Paste a URL to fill the fields below, e.g. postgres://user:password@host:5432/database"
              placeholder={`${kind}://user@127.0.0.1:${server.server.port}/mydb`}
              value={url}
              error={urlError}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setUrlError(null);
                setUrl(applyUrl(v) ? redactUrl(v) : v);
              }}
              onBlur={() => url.trim() && !applyUrl(url, true) && setUrlError('Not a database URL: it starts with postgres://, mysql:// or mariadb://.')}
              autoComplete="off"
            />
            <Group grow>
              <TextInput
                label="Host"
                value={f.host}
                onChange={(e) => {
                  // A URL pasted here fills every field instead of becoming the host name.
                  const v = e.currentTarget.value;
                  if (applyUrl(v, true)) setUrl(redactUrl(v));
                  else set('host')(v);
                }}
              />
              <NumberInput
                label="Port"
                placeholder={String(server.server.port)}
                value={f.port}
                onChange={set('port')}
                min={1}
                max={65535}
                allowDecimal={false}
              />
            </Group>
            <Group grow>
              <TextInput label="User" value={f.user} onChange={(e) => set('user')(e.currentTarget.value)} autoComplete="off" />
              <PasswordInput
                label="Password"
                value={f.password}
                onChange={(e) => set('password')(e.currentTarget.value)}
                autoComplete="off"
                description="Stored encrypted on this computer"
              />
            </Group>
            <Group grow>
              <TextInput label="Database" value={f.database} onChange={(e) => set('database')(e.currentTarget.value)} required />
              {server.defaultSchema !== null ? (
                <TextInput label="Schema" placeholder={server.defaultSchema} value={f.schema} onChange={(e) => set('schema')(e.currentTarget.value)} />
              ) : null}
            </Group>
          </>
        )}
        {result ? (
          <Alert color={result.ok ? 'green' : 'red'} title={result.ok ? 'Connected' : 'It did not work'} role="status">
            <Text size="sm">{result.message}</Text>
            {result.fix ? (
              <Text size="sm" mt={4} fw={500}>
                {result.fix}
              </Text>
            ) : null}
          </Alert>
        ) : null}
        <Group justify="space-between" mt="xs">
          <Button variant="default" onClick={test} loading={busy === 'test'} disabled={problem !== null || busy !== null}>
            Test connection
          </Button>
          <Group gap="xs">
            <Button variant="subtle" onClick={onClose}>
              Cancel
            </Button>
            {destination ? (
              <Button variant="light" onClick={use} disabled={problem !== null || busy !== null}>
                Use without saving
              </Button>
            ) : null}
            <Button onClick={submit} loading={busy === 'add'} disabled={problem !== null || busy !== null}>
              {destination ? 'Save and use' : 'Add source'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
