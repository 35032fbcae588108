import { Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { NotAvailable } from '@/components/common/NotAvailable';
import { PageSkeleton } from '@/components/common/PageSkeleton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { useNotificationSettings, usePatchNotificationSettings } from '@/hooks/useNotifications';
import type { NotificationSettings } from '@/services/notifications';

const SWITCHES: { key: keyof NotificationSettings; label: string; description: string }[] = [
  {
    key: 'case_replies',
    label: 'Replies on my cases',
    description: 'Mail me when a customer replies on a case assigned to me.',
  },
  {
    key: 'new_unassigned',
    label: 'New unassigned cases and refunds',
    description: 'Mail me when a case or refund comes in that nobody has taken yet.',
  },
  {
    key: 'supervisor_approvals',
    label: 'Refunds waiting for a supervisor',
    description: 'Mail me when a refund above the approval limit waits for a supervisor.',
  },
];

/** Staff choose which mails they get; customers' mails about their own cases always go. */
export function NotificationSettingsPage() {
  const settings = useNotificationSettings();
  const patch = usePatchNotificationSettings();

  if (settings.isPending) return <PageSkeleton rows={3} />;
  if (settings.isError)
    return <ProblemAlert error={settings.error} onRetry={() => void settings.refetch()} />;
  if (settings.data === null)
    return (
      <NotAvailable what="Notification settings" why="This server sends no mail to staff yet." />
    );
  const current = settings.data;
  // The server says which switches are this user's: one it answers null for is not offered.
  const offered = SWITCHES.filter((s) => current[s.key] !== null);
  return (
    <Stack gap="lg" maw={640}>
      <div>
        <Title order={1} size="h2">
          Notifications
        </Title>
        <Text size="sm" c="dimmed">
          Which mails supportdesk sends you. Changes are saved at once.
        </Text>
      </div>
      {patch.error ? <ProblemAlert error={patch.error} /> : null}
      <Paper withBorder p="md">
        <Stack gap="md">
          {offered.map((s) => (
            <Switch
              key={s.key}
              label={s.label}
              description={s.description}
              checked={
                patch.isPending && patch.variables?.[s.key] !== undefined
                  ? Boolean(patch.variables[s.key])
                  : Boolean(current[s.key])
              }
              disabled={patch.isPending}
              onChange={(e) => patch.mutate({ [s.key]: e.currentTarget.checked })}
            />
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}
