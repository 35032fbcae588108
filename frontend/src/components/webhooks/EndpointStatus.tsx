import { Alert, Badge, Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { WebhookEndpoint } from '@/services/types';

/** On or off; when the service turned it off, why, where nobody can miss it. */
export function EndpointStatus({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (endpoint.active)
    return (
      // Never squeezed to "O…" by a long URL beside it on a phone.
      <Badge color="green" variant="light" style={{ flexShrink: 0 }}>
        On
      </Badge>
    );
  if (!endpoint.disabled_reason)
    return (
      <Badge color="gray" variant="light" style={{ flexShrink: 0 }}>
        Off
      </Badge>
    );
  return (
    <Alert
      color="red"
      icon={<IconAlertTriangle size={18} />}
      title="Turned off by the service"
      p="xs"
    >
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {endpoint.disabled_reason}
      </Text>
      <Text size="xs" mt={4}>
        Nothing is sent to it until it is turned on again.
      </Text>
    </Alert>
  );
}

/** The event types an endpoint receives, or "All events". */
export function EventTypes({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (endpoint.event_types.length === 0) return <Text size="sm">All events</Text>;
  return (
    <Group gap={4}>
      {endpoint.event_types.map((t) => (
        <Badge key={t} variant="outline" color="gray" tt="none">
          {t}
        </Badge>
      ))}
    </Group>
  );
}
