import { Alert } from '@mantine/core';
import { IconAlert, IconCheck } from '../../../lib/icons';
import type { Verification } from '../store';

/** What the chain check found: intact with its record count, or the first broken record and why. */
export function VerificationAlert({ verification }: { verification: Verification }) {
  return verification.ok ? (
    <Alert color="green" icon={<IconCheck />} title="Chain intact" data-testid="audit-verification" data-ok="true">
      {verification.message}
    </Alert>
  ) : (
    <Alert
      color="red"
      icon={<IconAlert />}
      title={`Chain broken at record #${verification.brokenAt ?? '?'}`}
      role="alert"
      data-testid="audit-verification"
      data-ok="false"
    >
      {verification.message}
    </Alert>
  );
}
