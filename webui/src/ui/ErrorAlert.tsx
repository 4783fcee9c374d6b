import { Alert } from '@mantine/core';
import { TrellisApiError, TrellisConnectionError } from '@trellis/sdk';

/** What went wrong, as the API said it (its code and detail) or as the network did. */
export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof TrellisApiError) return { title: error.problem.title ?? error.code, detail: `${error.detail ?? ''} (${error.code})`.trim() };
  if (error instanceof TrellisConnectionError) return { title: 'Trellis cannot be reached', detail: error.reason };
  return { title: 'Something went wrong', detail: error instanceof Error ? error.message : String(error) };
}

export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const { title, detail } = describeError(error);
  return <Alert color="red" title={title} role="alert">{detail}</Alert>;
}
