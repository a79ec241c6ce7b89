/**
 * Name of an execution's artifact key in the `secrets` table. The key is removed with its
 * execution (a trigger of the store's schema, so also when a synthesis's executions are deleted).
 */
export const ARTIFACT_KEY_PREFIX = 'artifact-key:';

export function artifactKeyName(executionId: string): string {
  return `${ARTIFACT_KEY_PREFIX}${executionId}`;
}
