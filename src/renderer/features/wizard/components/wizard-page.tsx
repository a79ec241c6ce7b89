import { useEffect } from 'react';
import { Alert, Button, Group, Loader, Paper, Select, Stack, Stepper, Text, Title } from '@mantine/core';
import { useSources } from '../../sources/store';
import { problemsOfStep, useWizard, wizardSteps, type WizardStepKey } from '../store';
import { ChooseDataStep } from './choose-data-step';
import { PrimaryKeysStep } from './primary-keys-step';
import { ForeignKeysStep } from './foreign-keys-step';
import { TreatmentStep } from './treatment-step';
import { SettingsStep } from './settings-step';
import { DestinationStep } from './destination-step';
import { ReviewStep } from './review-step';
import { ProblemsPanel, StepProblems } from './problems';
import { IconAlert } from '../../../lib/icons';
import { DraftOffer } from './draft-offer';

const stepViews: Record<WizardStepKey, () => React.ReactNode> = {
  data: ChooseDataStep,
  'primary-keys': PrimaryKeysStep,
  'foreign-keys': ForeignKeysStep,
  treatment: TreatmentStep,
  settings: SettingsStep,
  destination: DestinationStep,
  review: ReviewStep,
};

function PickSource() {
  const { sources, load } = useSources();
  const openSource = useWizard((s) => s.openSource);
  useEffect(() => {
    void load().catch(() => undefined);
  }, [load]);
  return (
    <Paper withBorder p="xl" maw={560}>
      <Stack>
        <Text fw={600}>Which source do you want to synthesize?</Text>
        {sources.length === 0 ? (
          <Text size="sm" c="dimmed">
            Add a source on the Sources page first.
          </Text>
        ) : null}
        <Select
          aria-label="Source to synthesize"
          placeholder="Choose a source"
          data={sources.map((s) => ({ value: s.id, label: s.name }))}
          onChange={(id) => {
            const s = sources.find((x) => x.id === id);
            if (s) void openSource(s.id, s.name);
          }}
        />
      </Stack>
    </Paper>
  );
}

/** The new-synthesis wizard: a stepper of seven steps, each validated live, with the summary panel. */
export function WizardPage() {
  const status = useWizard((s) => s.status);
  const error = useWizard((s) => s.error);
  const step = useWizard((s) => s.step);
  const setStep = useWizard((s) => s.setStep);
  const problems = useWizard((s) => s.problems);
  const name = useWizard((s) => s.name);
  const reset = useWizard((s) => s.reset);
  const resume = useWizard((s) => s.resume);
  useEffect(() => {
    void resume();
  }, [resume]);
  const key = wizardSteps[step]!.key;
  const View = stepViews[key];

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <div>
          <Title order={2}>New synthesis</Title>
          {status === 'ready' ? (
            <Text size="sm" c="dimmed">
              {name}
            </Text>
          ) : null}
        </div>
        {status !== 'idle' ? (
          <Button variant="subtle" onClick={reset}>
            Start over
          </Button>
        ) : null}
      </Group>
      {status === 'idle' ? <PickSource /> : null}
      {status === 'loading' ? (
        <Group>
          <Loader size="sm" />
          <Text size="sm">Reading the source…</Text>
        </Group>
      ) : null}
      {status === 'error' ? (
        <Alert color="red" icon={<IconAlert />} title="The source could not be read">
          {error}
        </Alert>
      ) : null}
      {status === 'ready' ? (
        <>
          <DraftOffer />
          <Stepper
            active={step}
            onStepClick={setStep}
            size="xs"
            iconSize={24}
            wrap={false}
            allowNextStepsSelect
            aria-label="Synthesis steps"
            styles={{ separator: { marginInline: 6 }, stepLabel: { fontSize: 13, whiteSpace: 'nowrap' } }}
          >
            {wizardSteps.map((s) => {
              const errs = s.key === 'review' ? [] : problemsOfStep(problems, s.key).filter((p) => p.severity === 'error');
              const bad = errs.length > 0 ? <IconAlert size={14} /> : undefined;
              return (
                <Stepper.Step
                  key={s.key}
                  label={s.label}
                  color={bad ? 'red' : undefined}
                  icon={bad}
                  completedIcon={bad}
                  data-errors={errs.length}
                  aria-label={`${s.label}${errs.length ? `, ${errs.length} errors` : ''}`}
                />
              );
            })}
          </Stepper>
          <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
            <Stack gap="sm" style={{ flex: 1, minWidth: 0 }}>
              {key !== 'review' ? <StepProblems problems={problemsOfStep(problems, key)} /> : null}
              <View />
              {/* The review step has its own footer: Back beside "Create and run". */}
              {key !== 'review' ? (
                <Group justify="space-between" mt="xs">
                  <Button variant="default" onClick={() => setStep(step - 1)} disabled={step === 0}>
                    Back
                  </Button>
                  <Button onClick={() => setStep(step + 1)}>Next: {wizardSteps[step + 1]!.label}</Button>
                </Group>
              ) : null}
            </Stack>
            <div style={{ width: 270, flexShrink: 0 }}>
              <ProblemsPanel />
            </div>
          </div>
        </>
      ) : null}
    </Stack>
  );
}
