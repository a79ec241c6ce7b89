import { Alert, Button, Group, Text } from '@mantine/core';
import { formatDate } from '../../../lib/format';
import { IconHistory } from '../../../lib/icons';
import { useWizard } from '../store';

/** "Restore draft?": unsaved work found for this source (from before a reload or a closed window). */
export function DraftOffer() {
  const draft = useWizard((s) => s.draftOffer);
  const restore = useWizard((s) => s.restoreDraft);
  const discard = useWizard((s) => s.discardDraft);
  if (!draft) return null;
  return (
    <Alert color="indigo" icon={<IconHistory />} title="Restore draft?" data-testid="draft-offer">
      <Group justify="space-between" wrap="nowrap" gap="md">
        <Text size="sm">
          You have unsaved work on “{draft.name}” from {formatDate(draft.savedAt)}. Restore it, or start from the source’s defaults.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="default" onClick={discard}>
            Discard
          </Button>
          <Button size="xs" onClick={restore}>
            Restore draft
          </Button>
        </Group>
      </Group>
    </Alert>
  );
}
