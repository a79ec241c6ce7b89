import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { DEFAULT_SHARD_ROWS } from '../../../../shared/site';
import type { ApiInput, ApiOutput, AppSettings } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { IconAlert, IconRefresh } from '../../../lib/icons';

type QueueStatus = ApiOutput<'settings.queueStatus'>;

const URL_RE = /^rediss?:\/\/[^/\s]+/;

function StatusBadge({ status }: { status: QueueStatus | null }) {
  if (!status) return <Badge color="gray">Checking…</Badge>;
  if (!status.inUse) return <Badge color="gray">Runs on this machine</Badge>;
  if (!status.reachable) return <Badge color="red">Queue unreachable</Badge>;
  return (
    <Badge color={status.workers ? 'teal' : 'yellow'}>
      {status.workers} worker{status.workers === 1 ? '' : 's'} connected
    </Badge>
  );
}

/**
 * The app's settings. The site queue: executions go to site workers (`doppel worker`) through the
 * site's Redis instead of running here. A password in the URL is sealed by the app and never
 * shown again; the form only says that one is stored.
 */
export function SettingsPage() {
  const [settings, setSettings] = useState<AppSettings | null>(null);
  const [status, setStatus] = useState<QueueStatus | null>(null);
  const [url, setUrl] = useState('');
  const [name, setName] = useState('doppel');
  const [shardRows, setShardRows] = useState<number>(DEFAULT_SHARD_ROWS);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);

  const check = useCallback(async () => {
    setStatus(null);
    try {
      setStatus(await call('settings.queueStatus', {}));
    } catch (e) {
      setStatus({ inUse: true, reachable: false, workers: 0, message: errorText(e).message });
    }
  }, []);

  const show = useCallback((s: AppSettings) => {
    setSettings(s);
    setUrl(s.queue?.url ?? '');
    setName(s.queue?.name ?? 'doppel');
    setShardRows(s.queue?.shardRows ?? DEFAULT_SHARD_ROWS);
  }, []);

  useEffect(() => {
    call('settings.get', {})
      .then(show)
      .catch((e: unknown) => setError(errorText(e)));
    void check();
  }, [show, check]);

  const save = async (queue: ApiInput<'settings.setQueue'>['queue']) => {
    setSaving(true);
    setError(null);
    try {
      show(await call('settings.setQueue', { queue }));
      await check();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const urlError = url && !URL_RE.test(url.trim()) ? 'A redis:// or rediss:// URL, e.g. redis://queue-host:6379' : null;
  const stored = settings?.queue ?? null;

  return (
    <Stack gap="md" maw={720}>
      <Title order={2}>Settings</Title>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="site-queue-title">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4} id="site-queue-title">
              Site queue
            </Title>
            <Group gap="xs">
              <StatusBadge status={status} />
              <Button size="xs" variant="default" leftSection={<IconRefresh />} onClick={() => void check()}>
                Check again
              </Button>
            </Group>
          </Group>
          <Text size="sm" c="dimmed">
            With a queue, executions are sent to your site's workers (<code>doppel worker --queue …</code> on your servers) through its Redis instead of running
            here. Only job descriptions and progress pass through Redis; passwords travel sealed with the site key.
          </Text>
          {status ? (
            <Text size="sm" data-testid="queue-status">
              {status.message}
            </Text>
          ) : null}
          {settings?.override ? (
            <Alert color="yellow" icon={<IconAlert />} title="Set outside the app">
              Executions go to {settings.override} (DOPPEL_QUEUE or --queue); it is used instead of the queue below.
            </Alert>
          ) : null}
          <TextInput
            label="Redis URL"
            description={
              stored?.hasPassword
                ? 'A password is stored, sealed. Leave it out of the URL to keep it, or give the URL with a new one.'
                : 'redis://[user:password@]host:6379 (rediss:// for TLS). A password is sealed, never stored in clear.'
            }
            placeholder="redis://queue-host:6379"
            value={url}
            error={urlError}
            onChange={(e) => setUrl(e.currentTarget.value)}
            autoComplete="off"
          />
          <Group grow>
            <TextInput label="Queue name" description="The same as the workers' --queue-name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <NumberInput
              label="Rows per shard"
              description="Generation is split into shards of this size"
              min={1000}
              step={10_000}
              thousandSeparator=","
              value={shardRows}
              onChange={(v) => setShardRows(typeof v === 'number' ? v : DEFAULT_SHARD_ROWS)}
            />
          </Group>
          {error ? (
            <Alert color="red" icon={<IconAlert />} title="Not saved">
              {error.message}
              {error.fix ? <Text size="sm">{error.fix}</Text> : null}
            </Alert>
          ) : null}
          <Group>
            <Button
              loading={saving}
              disabled={!url.trim() || !!urlError || !name.trim()}
              onClick={() => void save({ url: url.trim(), name: name.trim(), shardRows, keepPassword: true })}
            >
              Use this queue
            </Button>
            <Button variant="default" disabled={!stored || saving} onClick={() => void save(null)}>
              Run on this machine
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
