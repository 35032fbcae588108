import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import {
  WEBHOOK_EVENT_GROUPS,
  type WebhookEndpoint,
  type WebhookEndpointCreate,
  type WebhookEventType,
} from '@/services/types';
import { applyServerErrors } from '../common/forms';

const EVENT_TYPES = WEBHOOK_EVENT_GROUPS.flatMap((g) => g.types) as [
  WebhookEventType,
  ...WebhookEventType[],
];

// The API's limits (WebhookEndpointIn); whether the address may be reached is the server's call.
const schema = z
  .object({
    url: z
      .string()
      .trim()
      .min(8, 'Enter the address that receives the events')
      .max(2000, 'Keep it to 2000 characters or fewer')
      .regex(/^https?:\/\/\S+$/i, 'An address starting with https:// (or http://)'),
    description: z.string().trim().max(500, 'Keep it to 500 characters or fewer'),
    all: z.boolean(),
    // One checkbox of a name gives a boolean, several an array; the form always has several.
    event_types: z.array(z.enum(EVENT_TYPES)),
  })
  .refine((v) => v.all || v.event_types.length > 0, {
    message: 'Choose at least one event, or All events',
    path: ['event_types'],
  });
type Values = z.infer<typeof schema>;

interface Props {
  /** The form's accessible name, e.g. "Add an endpoint". */
  name: string;
  submitLabel: string;
  /** Editing: the endpoint as it is. */
  endpoint?: WebhookEndpoint;
  onSubmit: (body: WebhookEndpointCreate) => Promise<unknown>;
  onCancel?: () => void;
}

/** An endpoint's address, description and the events it receives (none chosen: all). */
export function EndpointForm({ name, submitLabel, endpoint, onSubmit, onCancel }: Props) {
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    control,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      url: endpoint?.url ?? '',
      description: endpoint?.description ?? '',
      all: !endpoint || endpoint.event_types.length === 0,
      event_types: endpoint?.event_types ?? [],
    },
  });
  const all = useWatch({ control, name: 'all' });
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await onSubmit({
        url: v.url,
        description: v.description || null,
        event_types: v.all ? [] : v.event_types,
      });
      if (!endpoint) reset();
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['url', 'description', 'event_types']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={name}>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="URL"
            type="url"
            placeholder="https://shop.example/webhooks/support"
            {...register('url')}
            error={errors.url?.message}
          />
          <TextInput
            label="Description"
            description="Optional: what receives these events"
            {...register('description')}
            error={errors.description?.message}
          />
        </SimpleGrid>
        <Fieldset legend="Events to send" variant="unstyled">
          <Stack gap="xs">
            <Checkbox
              label="All events"
              description="Including event types added later"
              {...register('all')}
            />
            {!all ? (
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                {WEBHOOK_EVENT_GROUPS.map((group) => (
                  <Fieldset key={group.name} legend={group.name}>
                    <Stack gap={6}>
                      {group.types.map((type) => (
                        <Checkbox
                          key={type}
                          value={type}
                          label={type}
                          {...register('event_types')}
                        />
                      ))}
                    </Stack>
                  </Fieldset>
                ))}
              </SimpleGrid>
            ) : null}
            {errors.event_types?.message ? (
              <Text size="sm" c="red" role="alert">
                {errors.event_types.message}
              </Text>
            ) : null}
          </Stack>
        </Fieldset>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
          <Button type="submit" loading={isSubmitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
