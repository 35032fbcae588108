import {
  Anchor,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { NotAvailable } from '@/components/common/NotAvailable';
import { PageSkeleton } from '@/components/common/PageSkeleton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { useCaughtMail } from '@/hooks/useNotifications';
import { formatDateTime } from '@/services/format';
import type { CaughtMail } from '@/services/notifications';

const URL_IN_TEXT = /(https?:\/\/[^\s<>"')]+)/g;

/** The web links of a mail's HTML, read without running or loading anything of it. */
export function linksOf(mail: Pick<CaughtMail, 'html' | 'text'>): string[] {
  const found = new Set<string>();
  if (mail.html) {
    const doc = new DOMParser().parseFromString(mail.html, 'text/html');
    doc.querySelectorAll('a[href]').forEach((a) => {
      const href = a.getAttribute('href') ?? '';
      if (/^https?:\/\//i.test(href)) found.add(href);
    });
  }
  for (const match of (mail.text ?? '').matchAll(URL_IN_TEXT)) found.add(match[0]);
  return [...found];
}

/** A long address has no spaces to wrap at: it may break anywhere rather than overflow. */
export const WRAP_ANYWHERE = { overflowWrap: 'anywhere', wordBreak: 'break-word' } as const;

/** A link of a mail: inside the web app it opens here, anything else in a new tab. */
function MailLink({ href }: { href: string }) {
  let url: URL | null = null;
  try {
    url = new URL(href);
  } catch {
    return (
      <Text span style={WRAP_ANYWHERE}>
        {href}
      </Text>
    );
  }
  if (url.origin === globalThis.location?.origin) {
    return (
      <Anchor component={Link} to={`${url.pathname}${url.search}${url.hash}`} style={WRAP_ANYWHERE}>
        {href}
      </Anchor>
    );
  }
  return (
    <Anchor href={href} target="_blank" rel="noopener noreferrer" style={WRAP_ANYWHERE}>
      {href}
    </Anchor>
  );
}

/** Plain text with its web addresses made into links (rendered as text, never as HTML). */
function TextWithLinks({ text }: { text: string }) {
  const parts = text.split(URL_IN_TEXT);
  return (
    <Text
      size="sm"
      component="pre"
      style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', ...WRAP_ANYWHERE }}
      aria-label="Mail text"
    >
      {parts.map((part, i) =>
        i % 2 === 1 ? <MailLink key={i} href={part} /> : <Fragment key={i}>{part}</Fragment>,
      )}
    </Text>
  );
}

function MailView({ mail }: { mail: CaughtMail }) {
  const [view, setView] = useState<'html' | 'text'>(mail.html ? 'html' : 'text');
  const links = linksOf(mail);
  return (
    // minWidth 0: a grid column otherwise grows to its longest unbreakable line.
    <Paper withBorder p="md" component="section" aria-label="Selected mail" miw={0}>
      <Title order={4} style={{ wordBreak: 'break-word' }}>
        {mail.subject}
      </Title>
      <Text size="sm" c="dimmed">
        From {mail.from} to {mail.to.join(', ')} · {formatDateTime(mail.received_at)}
      </Text>
      {mail.html && mail.text ? (
        <SegmentedControl
          mt="sm"
          size="xs"
          value={view}
          onChange={(v) => setView(v as 'html' | 'text')}
          data={[
            { value: 'html', label: 'HTML' },
            { value: 'text', label: 'Text' },
          ]}
        />
      ) : null}
      <div style={{ marginTop: 12 }}>
        {view === 'html' && mail.html ? (
          // No scripts, no same-origin access, no forms: the mail is shown, never run.
          <iframe
            title="Mail content"
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            srcDoc={`<base target="_blank">${mail.html}`}
            style={{ width: '100%', minHeight: 360, border: 0, background: 'white' }}
          />
        ) : (
          <TextWithLinks text={mail.text ?? ''} />
        )}
      </div>
      {links.length ? (
        <Stack gap={2} mt="sm" aria-label="Links in this mail">
          <Text size="xs" fw={600}>
            Links in this mail
          </Text>
          {links.map((href) => (
            <MailLink key={href} href={href} />
          ))}
        </Stack>
      ) : null}
    </Paper>
  );
}

/** What the embedded mail catcher received: the mail supportdesk would have sent. */
export function SentMailPage() {
  const [to, setTo] = useState('');
  const [debounced] = useDebouncedValue(to.trim(), 300);
  const mail = useCaughtMail(debounced || undefined);
  const [selectedId, setSelectedId] = useState<string | null>(null);

  if (mail.isPending) return <PageSkeleton />;
  if (mail.isError) return <ProblemAlert error={mail.error} onRetry={() => void mail.refetch()} />;
  if (mail.data === null)
    return (
      <NotAvailable
        what="Sent mail"
        why="This server sends mail through a real SMTP server (or has no mail catcher), so there is nothing to show here. Check the mail provider instead."
      />
    );
  const items = mail.data;
  const selected = items.find((m) => m.id === selectedId) ?? items[0];
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Sent mail
          </Title>
          <Text size="sm" c="dimmed">
            Mail caught by the built-in mail server, newest first.
          </Text>
        </div>
        <TextInput
          label="To"
          placeholder="alice@example.com"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
        />
      </Group>
      {items.length === 0 ? (
        <Paper withBorder p="xl" ta="center" role="status">
          <Text c="dimmed">No mail yet.</Text>
        </Paper>
      ) : (
        <Grid gutter="lg">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Table highlightOnHover aria-label="Sent mail" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Subject</Table.Th>
                  <Table.Th>To</Table.Th>
                  <Table.Th>Time</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((m) => (
                  <Table.Tr
                    key={m.id}
                    aria-selected={m.id === selected?.id}
                    style={{ cursor: 'pointer' }}
                    onClick={() => setSelectedId(m.id)}
                  >
                    <Table.Td>
                      <Anchor
                        component="button"
                        type="button"
                        size="sm"
                        onClick={() => setSelectedId(m.id)}
                        fw={m.id === selected?.id ? 700 : undefined}
                        ta="left"
                      >
                        {m.subject || '(no subject)'}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{m.to.join(', ')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs">{formatDateTime(m.received_at)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Text size="sm" c="dimmed" mt="xs">
              {items.length} {items.length === 1 ? 'message' : 'messages'}
            </Text>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }} miw={0}>
            {selected ? <MailView key={selected.id} mail={selected} /> : null}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
