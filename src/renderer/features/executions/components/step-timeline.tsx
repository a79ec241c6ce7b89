import { Group, Loader, Progress, Text, ThemeIcon, Timeline } from '@mantine/core';
import { jobStepLabels, type StepState } from '../../../../shared';
import { formatSeconds } from '../../../lib/format';
import { IconCheck, IconX } from '../../../lib/icons';

function bullet(s: StepState) {
  switch (s.status) {
    case 'done':
      return (
        <ThemeIcon color="green" radius="xl" size={22}>
          <IconCheck size={13} />
        </ThemeIcon>
      );
    case 'running':
      return <Loader size={14} />;
    case 'failed':
    case 'canceled':
      return (
        <ThemeIcon color={s.status === 'failed' ? 'red' : 'orange'} radius="xl" size={22}>
          <IconX size={13} />
        </ThemeIcon>
      );
    default:
      return null;
  }
}

/** The seven steps with live progress bars and timings. */
export function StepTimeline({ steps }: { steps: StepState[] }) {
  const active = steps.reduce((last, s, i) => (s.status === 'done' || s.status === 'running' || s.status === 'skipped' ? i : last), -1);
  return (
    <Timeline active={active} bulletSize={24} lineWidth={2} aria-label="Execution timeline">
      {steps.map((s) => {
        const pct = s.total && s.total > 0 ? Math.min(100, ((s.done ?? 0) / s.total) * 100) : 0;
        return (
          <Timeline.Item
            key={s.step}
            bullet={bullet(s)}
            color={s.status === 'failed' ? 'red' : s.status === 'canceled' ? 'orange' : undefined}
            data-step={s.step}
            data-status={s.status}
            title={
              <Group justify="space-between" wrap="nowrap">
                <Text fw={s.status === 'running' ? 700 : 500} c={s.status === 'pending' ? 'dimmed' : undefined}>
                  {jobStepLabels[s.step]}
                </Text>
                <Text size="xs" c="dimmed">
                  {s.status === 'skipped'
                    ? 'skipped'
                    : s.seconds !== undefined
                      ? formatSeconds(s.seconds)
                      : s.status === 'running' && s.etaSeconds !== undefined
                        ? `about ${formatSeconds(s.etaSeconds)} left`
                        : ''}
                </Text>
              </Group>
            }
          >
            {s.status === 'running' ? <Progress value={pct} size="sm" mt={4} animated aria-label={`${jobStepLabels[s.step]} progress`} /> : null}
            {s.message && s.status === 'running' ? (
              <Text size="xs" c="dimmed" mt={2}>
                {s.message}
              </Text>
            ) : null}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
