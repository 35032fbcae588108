import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { ApiError } from '@/services/http';

interface Props {
  error: unknown;
  onRetry?: () => void;
  title?: string;
  /** What to say instead when a system behind the server did not answer, in the reader's
   * words ("We can't load your orders right now; try again in a minute."). The server's
   * detail then stays unsaid: it names our systems, which the reader cannot act on. */
  unavailable?: string;
}

/** A failed request in plain words, with "Try again" when trying again can help. */
export function ProblemAlert({ error, onRetry, title, unavailable }: Props) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  if (unavailable && api?.code === 'upstream_unavailable')
    return (
      <Alert
        color="yellow"
        icon={<IconAlertCircle size={18} />}
        title={title ?? 'Not available right now'}
        role="alert"
      >
        <Text size="sm">{unavailable}</Text>
        {onRetry ? (
          <Group mt="sm">
            <Button size="xs" variant="light" onClick={onRetry}>
              Try again
            </Button>
          </Group>
        ) : null}
      </Alert>
    );
  const message = api ? api.plainMessage : 'Something went wrong.';
  const canRetry = !!onRetry && (!api || api.retryable || api.code === 'version_conflict');
  return (
    <Alert
      color={api?.status === 409 ? 'yellow' : 'red'}
      icon={<IconAlertCircle size={18} />}
      title={title ?? (api?.title && api.title !== api.code ? api.title : 'That did not work')}
      role="alert"
    >
      <Text size="sm">{message}</Text>
      {api?.detail && api.detail !== message && api.code !== 'validation_error' ? (
        <Text size="xs" c="dimmed" mt={4}>
          {api.detail}
        </Text>
      ) : null}
      {canRetry ? (
        <Group mt="sm">
          <Button size="xs" variant="light" onClick={onRetry}>
            {api?.code === 'version_conflict' ? 'Reload' : 'Try again'}
          </Button>
        </Group>
      ) : null}
    </Alert>
  );
}
