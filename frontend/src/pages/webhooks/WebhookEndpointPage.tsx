import { Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmButton } from '@/components/common/ConfirmButton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { QueryState } from '@/components/common/QueryState';
import { DeliveryLog } from '@/components/webhooks/DeliveryLog';
import { EndpointForm } from '@/components/webhooks/EndpointForm';
import { EndpointStatus, EventTypes } from '@/components/webhooks/EndpointStatus';
import { SigningSecret } from '@/components/webhooks/SigningSecret';
import {
  useDeleteWebhookEndpoint,
  usePatchWebhookEndpoint,
  useRotateWebhookSecret,
  useSendWebhookDeliveryAgain,
  useWebhookDeliveries,
  useWebhookEndpoint,
} from '@/hooks/useWebhooks';
import { formatDateTime } from '@/services/format';
import { ApiError } from '@/services/http';
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '@/services/types';

const STATE_WORDS: Record<WebhookDelivery['state'], string> = {
  pending: 'it goes out in a moment',
  failed: 'it failed and will be tried again',
  delivered: 'it was delivered',
  dead: 'it was given up on',
};

function Settings({ endpoint }: { endpoint: WebhookEndpoint }) {
  const navigate = useNavigate();
  const patch = usePatchWebhookEndpoint(endpoint.id);
  const remove = useDeleteWebhookEndpoint(endpoint.id);
  const rotate = useRotateWebhookSecret(endpoint.id);
  const [editing, setEditing] = useState(false);
  // The new secret lives in this state only: it is gone once dismissed or the page is left.
  const [rotated, setRotated] = useState<WebhookEndpointWithSecret | null>(null);

  return (
    <Stack gap="md">
      {rotated ? (
        <SigningSecret
          secret={rotated.secret}
          previousValidUntil={rotated.previous_secret_valid_until}
          onDone={() => setRotated(null)}
        />
      ) : null}
      {patch.error ? <ProblemAlert error={patch.error} /> : null}
      {remove.error ? <ProblemAlert error={remove.error} /> : null}
      {rotate.error ? <ProblemAlert error={rotate.error} /> : null}
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          Settings
        </Title>
        {editing ? (
          <EndpointForm
            name="Change endpoint"
            submitLabel="Save"
            endpoint={endpoint}
            onCancel={() => setEditing(false)}
            onSubmit={async (body) => {
              await patch.mutateAsync(body);
              setEditing(false);
              notifications.show({ color: 'green', message: 'Endpoint saved.' });
            }}
          />
        ) : (
          <Stack gap="sm">
            <EndpointStatus endpoint={endpoint} />
            <div>
              <Text size="sm" fw={600}>
                Description
              </Text>
              <Text size="sm">{endpoint.description ?? '—'}</Text>
            </div>
            <div>
              <Text size="sm" fw={600}>
                Events
              </Text>
              <EventTypes endpoint={endpoint} />
            </div>
            <Text size="xs" c="dimmed">
              Added {formatDateTime(endpoint.created_at)}, last changed{' '}
              {formatDateTime(endpoint.updated_at)}.
            </Text>
            <Group gap="xs">
              <Button size="xs" variant="default" onClick={() => setEditing(true)}>
                Edit
              </Button>
              {endpoint.active ? (
                <ConfirmButton
                  size="xs"
                  variant="light"
                  color="orange"
                  loading={patch.isPending}
                  title="Turn this endpoint off?"
                  consequence="Nothing is sent to it while it is off: what is queued for it is dropped, and events that happen meanwhile are not sent later. You can turn it on again."
                  confirmLabel="Turn off"
                  onConfirm={() => patch.mutate({ active: false })}
                >
                  Turn off
                </ConfirmButton>
              ) : (
                <Button
                  size="xs"
                  variant="light"
                  color="green"
                  loading={patch.isPending}
                  onClick={() => patch.mutate({ active: true })}
                >
                  Turn on
                </Button>
              )}
              <ConfirmButton
                size="xs"
                variant="light"
                color="yellow"
                loading={rotate.isPending}
                title="Rotate the signing secret?"
                consequence="A new secret signs every delivery from now on. The old one keeps signing too for a day, so the receiver can switch over; after that only the new one does."
                confirmLabel="Rotate secret"
                onConfirm={() => rotate.mutate(undefined, { onSuccess: setRotated })}
              >
                Rotate secret
              </ConfirmButton>
              <ConfirmButton
                size="xs"
                variant="light"
                color="red"
                loading={remove.isPending}
                title="Delete this endpoint?"
                consequence="It stops receiving events at once, what is queued for it is dropped, and its delivery log is gone. This cannot be undone."
                confirmLabel="Delete endpoint"
                onConfirm={() =>
                  remove.mutate(undefined, {
                    onSuccess: () => {
                      notifications.show({ color: 'green', message: 'Endpoint deleted.' });
                      void navigate('/admin/webhooks');
                    },
                  })
                }
              >
                Delete
              </ConfirmButton>
            </Group>
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const deliveries = useWebhookDeliveries(endpointId);
  const sendAgain = useSendWebhookDeliveryAgain(endpointId);
  const send = (d: WebhookDelivery) =>
    sendAgain.mutate(d.id, {
      onSuccess: (again) =>
        notifications.show({
          color: 'green',
          message: `${again.event_type} sent again with the same webhook-id: ${STATE_WORDS[again.state]}.`,
        }),
      onError: (error) =>
        notifications.show({
          color: error instanceof ApiError && error.status === 409 ? 'yellow' : 'red',
          message:
            error instanceof ApiError && error.status === 409
              ? `${d.event_type} is queued for this endpoint already: it goes out at its next try.`
              : error instanceof ApiError
                ? error.plainMessage
                : 'Something went wrong.',
        }),
    });
  return (
    <section aria-labelledby="deliveries-heading">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="deliveries-heading">
          Deliveries
        </Title>
        <Button
          size="xs"
          variant="default"
          loading={deliveries.isRefetching && !deliveries.isFetchingNextPage}
          onClick={() => void deliveries.refetch()}
        >
          Refresh
        </Button>
      </Group>
      <QueryState
        query={deliveries}
        isEmpty={(data) => data.pages[0]?.items.length === 0}
        empty={
          <Text c="dimmed" role="status">
            Nothing sent to this endpoint yet.
          </Text>
        }
      >
        {(data) => (
          <Stack gap="sm">
            <DeliveryLog
              deliveries={data.pages.flatMap((p) => p.items)}
              onSendAgain={send}
              sending={sendAgain.isPending ? sendAgain.variables : undefined}
            />
            {deliveries.hasNextPage ? (
              <Button
                variant="default"
                onClick={() => void deliveries.fetchNextPage()}
                loading={deliveries.isFetchingNextPage}
              >
                Load more
              </Button>
            ) : null}
          </Stack>
        )}
      </QueryState>
    </section>
  );
}

/** One endpoint: its settings and the log of what was sent to it. */
export function WebhookEndpointPage() {
  const { endpointId = '' } = useParams();
  const endpoint = useWebhookEndpoint(endpointId);
  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/admin/webhooks" size="sm">
        All webhook endpoints
      </Anchor>
      <QueryState
        query={endpoint}
        notFound={
          <Stack gap="sm">
            <Title order={1} size="h2">
              Endpoint not found
            </Title>
            <Text>It may have been deleted.</Text>
          </Stack>
        }
      >
        {(e) => (
          <Stack gap="lg">
            <div>
              <Text size="sm" c="dimmed">
                Webhook endpoint
              </Text>
              <Title order={1} size="h2" style={{ wordBreak: 'break-all' }}>
                {e.url}
              </Title>
            </div>
            <Settings endpoint={e} />
            <Deliveries endpointId={e.id} />
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
