import { Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { EndpointForm } from '@/components/webhooks/EndpointForm';
import { EndpointStatus, EventTypes } from '@/components/webhooks/EndpointStatus';
import { SigningSecret } from '@/components/webhooks/SigningSecret';
import { useCreateWebhookEndpoint, useWebhookEndpoints } from '@/hooks/useWebhooks';
import type { WebhookEndpointWithSecret } from '@/services/types';

/** Admins register the shop's webhook endpoints and see which are on. */
export function WebhooksPage() {
  const endpoints = useWebhookEndpoints();
  const create = useCreateWebhookEndpoint();
  // The secret lives in this state only: it is gone once dismissed or the page is left.
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          Webhooks
        </Title>
        <Text size="sm" c="dimmed">
          The shop’s systems hear of cases, messages and refunds as they happen: each event is
          POSTed, signed, to the endpoints that want it.
        </Text>
      </div>
      {created ? (
        <Stack gap="xs">
          <Text size="sm" role="status">
            Endpoint added:{' '}
            <Anchor component={Link} to={`/admin/webhooks/${created.id}`}>
              {created.url}
            </Anchor>
          </Text>
          <SigningSecret secret={created.secret} onDone={() => setCreated(null)} />
        </Stack>
      ) : null}
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          Add endpoint
        </Title>
        <EndpointForm
          name="Add endpoint"
          submitLabel="Add endpoint"
          onSubmit={async (body) => setCreated(await create.mutateAsync(body))}
        />
      </Paper>
      <section aria-labelledby="endpoints-heading">
        <Title order={2} size="h4" mb="sm" id="endpoints-heading">
          Endpoints
        </Title>
        <QueryState
          query={endpoints}
          isEmpty={(list) => list.length === 0}
          empty={
            <Text c="dimmed" role="status">
              No endpoints yet.
            </Text>
          }
        >
          {(list) => (
            <Stack gap="sm" role="list" aria-label="Endpoints">
              {list.map((e) => (
                <Paper key={e.id} withBorder p="sm" role="listitem">
                  <Stack gap={6}>
                    <Group justify="space-between" align="flex-start" wrap="nowrap">
                      <Anchor
                        component={Link}
                        to={`/admin/webhooks/${e.id}`}
                        fw={600}
                        style={{ wordBreak: 'break-all' }}
                      >
                        {e.url}
                      </Anchor>
                      {e.disabled_reason ? null : <EndpointStatus endpoint={e} />}
                    </Group>
                    {e.description ? <Text size="sm">{e.description}</Text> : null}
                    <EventTypes endpoint={e} />
                    {e.disabled_reason ? <EndpointStatus endpoint={e} /> : null}
                  </Stack>
                </Paper>
              ))}
            </Stack>
          )}
        </QueryState>
      </section>
    </Stack>
  );
}
