import { Alert, Button, Code, CopyButton, Group, List, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { formatDateTime } from '@/services/format';

interface Props {
  secret: string;
  /** After a rotation: the old secret signs too until then. */
  previousValidUntil?: string | null;
  onDone: () => void;
}

/** A signing secret, shown once (after creating an endpoint or rotating its secret). */
export function SigningSecret({ secret, previousValidUntil, onDone }: Props) {
  return (
    <Alert
      color="yellow"
      variant="outline"
      icon={<IconKey size={18} />}
      title="Signing secret: copy it now"
      role="region"
    >
      <Stack gap="sm">
        <Text size="sm" fw={600}>
          This secret is shown only now. It will not be shown again: copy it into the receiver’s
          settings before you leave this page.
        </Text>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code
            aria-label="Secret"
            style={{ wordBreak: 'break-all', fontSize: 'var(--mantine-font-size-sm)', flex: 1 }}
            p="xs"
          >
            {secret}
          </Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy} aria-live="polite">
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        {previousValidUntil ? (
          <Text size="sm">
            The old secret keeps signing too until {formatDateTime(previousValidUntil)}, so the
            receiver can switch without missing a delivery.
          </Text>
        ) : null}
        <div>
          <Text size="sm">How the receiver checks a delivery (Standard Webhooks):</Text>
          <List size="sm" spacing={2} mt={4}>
            <List.Item>
              Each request has the headers <Code>webhook-id</Code>, <Code>webhook-timestamp</Code>{' '}
              and <Code>webhook-signature</Code>.
            </List.Item>
            <List.Item>
              The signature is <Code>v1,</Code> then the base64 HMAC-SHA256 of{' '}
              <Code>webhook-id.webhook-timestamp.body</Code>, keyed with the secret’s part after{' '}
              <Code>whsec_</Code> (base64-decoded). During a rotation there are two, separated by a
              space: accept either.
            </List.Item>
            <List.Item>
              Refuse a timestamp more than five minutes old, and treat a repeated{' '}
              <Code>webhook-id</Code> as the same event. The Standard Webhooks libraries do all of
              this.
            </List.Item>
          </List>
        </div>
        <Group justify="flex-end">
          <Button size="xs" variant="default" onClick={onDone}>
            I have saved it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
