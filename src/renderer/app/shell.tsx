import { useEffect, type ReactNode } from 'react';
import { ActionIcon, AppShell, Badge, Group, NavLink, Text, Title, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useNav, type Route } from './nav-store';
import { useAppInfo } from './info-store';
import { IconAdjustments, IconDatabase, IconHistory, IconListCheck, IconMoon, IconSparkles, IconSun } from '../lib/icons';
import { SourcesPage } from '../features/sources/components/sources-page';
import { WizardPage } from '../features/wizard/components/wizard-page';
import { SynthesesPage } from '../features/executions/components/syntheses-page';
import { ExecutionPage } from '../features/executions/components/execution-page';
import { AuditPage } from '../features/audit/components/audit-page';
import { ComparePage } from '../features/executions/components/compare-page';
import { SettingsPage } from '../features/settings/components/settings-page';

/** The pages of the main navigation, with the routes each one is highlighted on. */
const mainPages: { route: 'sources' | 'wizard' | 'syntheses' | 'audit' | 'settings'; label: string; icon: ReactNode; shows: Route['name'][] }[] = [
  { route: 'sources', label: 'Sources', icon: <IconDatabase />, shows: ['sources'] },
  { route: 'wizard', label: 'New synthesis', icon: <IconSparkles />, shows: ['wizard'] },
  { route: 'syntheses', label: 'Syntheses & runs', icon: <IconHistory />, shows: ['syntheses', 'execution', 'compare'] },
  { route: 'audit', label: 'Audit trail', icon: <IconListCheck />, shows: ['audit'] },
  { route: 'settings', label: 'Settings', icon: <IconAdjustments />, shows: ['settings'] },
];

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} theme`} onClick={() => setColorScheme(next)}>
        {scheme === 'dark' ? <IconSun /> : <IconMoon />}
      </ActionIcon>
    </Tooltip>
  );
}

function useBackend(): string | null {
  const info = useAppInfo((s) => s.info);
  const load = useAppInfo((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  return info?.backend ?? null;
}

export function Shell() {
  const route = useNav((s) => s.route);
  const go = useNav((s) => s.go);
  const backend = useBackend();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <Text component="span" fw={800} size="xl" c="indigo">
              ◐
            </Text>
            <Title order={3}>Doppel</Title>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              synthetic data, on your machine
            </Text>
          </Group>
          <Group gap="sm">
            {backend ? (
              <Tooltip label="Compute backend used for training">
                <Badge variant="light" color="gray">
                  {backend}
                </Badge>
              </Tooltip>
            ) : null}
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <nav aria-label="Main">
          {mainPages.map((p) => (
            <NavLink
              key={p.route}
              component="button"
              label={p.label}
              leftSection={p.icon}
              active={p.shows.includes(route.name)}
              onClick={() => go({ name: p.route })}
            />
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main>
        {route.name === 'sources' && <SourcesPage />}
        {route.name === 'wizard' && <WizardPage />}
        {route.name === 'syntheses' && <SynthesesPage synthesisId={route.synthesisId} />}
        {route.name === 'execution' && <ExecutionPage id={route.id} />}
        {route.name === 'audit' && <AuditPage />}
        {route.name === 'compare' && <ComparePage ids={route.ids} />}
        {route.name === 'settings' && <SettingsPage />}
      </AppShell.Main>
    </AppShell>
  );
}
