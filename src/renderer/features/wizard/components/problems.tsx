import { useState } from 'react';
import { Alert, Anchor, Badge, Group, List, Paper, ScrollArea, Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import type { Problem } from '../../../../shared';
import { IconAlert, IconCheck, IconInfo } from '../../../lib/icons';
import { useWizard, wizardSteps } from '../store';

export function problemsAt(problems: Problem[], table: string, column?: string): Problem[] {
  return problems.filter((p) => p.table === table && (column === undefined ? true : p.column === column));
}

/** Inline notes under the table or column a problem is about. */
export function InlineProblems({ problems }: { problems: Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <Stack gap={2} mt={4}>
      {problems.map((p, i) => (
        <Text key={`${p.code}-${i}`} size="xs" c={p.severity === 'error' ? 'red.7' : 'yellow.8'} role={p.severity === 'error' ? 'alert' : undefined}>
          {p.severity === 'error' ? 'Error: ' : 'Warning: '}
          {p.message}{' '}
          <Text span size="xs" c="dimmed">
            {p.fix}
          </Text>
        </Text>
      ))}
    </Stack>
  );
}

/** The errors of the current step, above its content (compact; warnings only counted). */
export function StepProblems({ problems }: { problems: Problem[] }) {
  const [open, setOpen] = useState(false);
  if (problems.length === 0) return null;
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.length - errors.length;
  const shown = open ? errors : errors.slice(0, 3);
  const warnText = warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'} (see the validation panel)` : '';
  if (errors.length === 0) {
    return (
      <Alert color="yellow" icon={<IconInfo />} py="xs" data-testid="step-problems">
        <Text size="sm">{warnText[0]!.toUpperCase() + warnText.slice(1)}</Text>
      </Alert>
    );
  }
  return (
    <Alert
      color="red"
      icon={<IconAlert />}
      py="xs"
      title={`${errors.length} error${errors.length === 1 ? '' : 's'} to fix in this step${warnText ? ` · ${warnText}` : ''}`}
      data-testid="step-problems"
    >
      <List size="sm" spacing={2} className="step-problem-list">
        {shown.map((p, i) => (
          <List.Item key={`${p.code}-${p.table ?? ''}-${p.column ?? ''}-${i}`}>
            {p.message}{' '}
            <Text span size="sm" fw={500}>
              {p.fix}
            </Text>
          </List.Item>
        ))}
      </List>
      {errors.length > 3 ? (
        <Anchor component="button" size="sm" onClick={() => setOpen(!open)}>
          {open ? 'Show fewer' : `Show ${errors.length - 3} more`}
        </Anchor>
      ) : null}
    </Alert>
  );
}

/** The summary panel: every problem of the configuration, grouped by step, each a link to its step. */
/** Problems listed per step before "Show all" (a large schema can have hundreds of warnings). */
const PANEL_LIMIT = 6;

export function ProblemsPanel() {
  const problems = useWizard((s) => s.problems);
  const setStep = useWizard((s) => s.setStep);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return (
    <Paper withBorder p="sm" component="aside" aria-label="Validation summary" data-testid="problems-panel">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Validation</Text>
        <Group gap={4}>
          <Badge color={errors ? 'red' : 'gray'} variant="light">
            {errors} error{errors === 1 ? '' : 's'}
          </Badge>
          <Badge color={warnings ? 'yellow' : 'gray'} variant="light">
            {warnings} warning{warnings === 1 ? '' : 's'}
          </Badge>
        </Group>
      </Group>
      {problems.length === 0 ? (
        <Group gap="xs">
          <ThemeIcon color="green" variant="light" size="sm">
            <IconCheck size={14} />
          </ThemeIcon>
          <Text size="sm">The configuration is valid.</Text>
        </Group>
      ) : (
        <ScrollArea.Autosize mah={520} type="auto">
          <Stack gap={6}>
            {wizardSteps.map((s, index) => {
              // Errors first, then warnings, each with the fix.
              const mine = problems.filter((p) => p.step === s.key).sort((a, b) => Number(a.severity !== 'error') - Number(b.severity !== 'error'));
              if (mine.length === 0) return null;
              return (
                <div key={s.key}>
                  <UnstyledButton onClick={() => setStep(index)} aria-label={`Go to step ${s.label}`}>
                    <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                      {index + 1}. {s.label}
                    </Text>
                  </UnstyledButton>
                  {(expanded.has(s.key) ? mine : mine.slice(0, PANEL_LIMIT)).map((p, i) => (
                    <Group key={`${p.code}-${i}`} gap={6} wrap="nowrap" align="flex-start" mt={2}>
                      <span style={{ color: p.severity === 'error' ? 'var(--mantine-color-red-6)' : 'var(--mantine-color-yellow-7)', marginTop: 2 }}>
                        {p.severity === 'error' ? <IconAlert size={14} /> : <IconInfo size={14} />}
                      </span>
                      <Text size="xs" data-severity={p.severity}>
                        {p.message}
                        {p.fix ? (
                          <Text span size="xs" c="dimmed" display="block" mt={1}>
                            Fix: {p.fix}
                          </Text>
                        ) : null}
                      </Text>
                    </Group>
                  ))}
                  {mine.length > PANEL_LIMIT ? (
                    <Anchor
                      component="button"
                      size="xs"
                      mt={2}
                      onClick={() => setExpanded((e) => (e.has(s.key) ? new Set([...e].filter((k) => k !== s.key)) : new Set([...e, s.key])))}
                    >
                      {expanded.has(s.key) ? 'Show fewer' : `Show all ${mine.length}`}
                    </Anchor>
                  ) : null}
                </div>
              );
            })}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
