import { Anchor, Badge, Grid, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { Money } from '@/components/ui/Money';
import { CaseStatusBadge, PriorityBadge, RefundStatusBadge } from '@/components/ui/StatusBadge';
import {
  caseAction,
  CustomerCaseControls,
  StaffCaseControls,
} from '@/components/support/CaseControls';
import { HistoryTimeline } from '@/components/support/HistoryTimeline';
import { MessageThread } from '@/components/support/MessageThread';
import { ReplyBox } from '@/components/support/ReplyBox';
import { SlaClocks } from '@/components/support/SlaClocks';
import {
  useCase,
  useCaseHistory,
  useCaseMessages,
  useCaseWriting,
  usePatchCase,
  usePostMessage,
} from '@/hooks/useCases';
import { useCaseAttachments, useRemoveAttachment, useUploads } from '@/hooks/useAttachments';
import { useChangedByOthers, whoDid } from '@/hooks/useLiveUpdates';
import { useMe } from '@/hooks/useSession';
import { useCannedReplies } from '@/hooks/useCannedReplies';
import { useStaff } from '@/hooks/useStaff';
import { draftKey } from '@/services/drafts';
import { valuesFromCase } from '@/services/placeholders';
import { formatDateTime, formatMoney, label } from '@/services/format';
import { isStaff, type Attachment, type SupportCase } from '@/services/types';
import { CustomerLink } from '@/components/customer/CustomerLink';
import { NotFoundPage } from './NotFoundPage';
import { RefundRequestPanel } from './case/RefundRequestPanel';
import { AttachmentGallery } from './case/AttachmentGallery';

function OrderSnapshot({ c }: { c: SupportCase }) {
  const snap = c.order_snapshot;
  if (!snap) return <Text size="sm">Order {c.order_id}</Text>;
  return (
    <Table verticalSpacing={4} aria-label="Order snapshot">
      <Table.Tbody>
        {snap.lines.map((l) => (
          <Table.Tr key={l.line_id}>
            <Table.Td>
              <Text size="sm">
                {l.quantity} × {l.name}
              </Text>
              <Text size="xs" c="dimmed">
                {l.sku}
              </Text>
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>
              <Text size="sm">{formatMoney(l.gross, snap.currency)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function CasePage() {
  const { caseId = '' } = useParams();
  const me = useMe();
  const staff = isStaff(me.role);
  const supportCase = useCase(caseId);
  const messages = useCaseMessages(caseId);
  const history = useCaseHistory(caseId);
  const patch = usePatchCase(caseId);
  const savingCase = useCaseWriting(caseId);
  const post = usePostMessage(caseId);
  const staffList = useStaff(staff);
  const canned = useCannedReplies(staff);
  const files = useCaseAttachments(caseId);
  const uploads = useUploads(caseId);
  const redact = useRemoveAttachment(caseId);
  const onRedact =
    me.role === 'admin' ? (f: Attachment) => void redact.mutateAsync(f.id) : undefined;
  // Files no message shows: added to the case itself, or named by a refund request.
  const caseFiles = (files.data ?? []).filter((f) => !f.message_id && !uploads.ids.includes(f.id));
  const names = Object.fromEntries((staffList.data ?? []).map((s) => [s.id, s.name]));
  const [writing, setWriting] = useState(false);
  const changed = useChangedByOthers(caseId, me.id, writing);
  // Below md the two columns stack; the actions then come right after the case's summary
  // (its words) instead of below the whole conversation (as on the refund page).
  const stacked = useMediaQuery('(max-width: 62em)', false, {
    getInitialValueInEffect: false,
  });

  const reload = () => {
    void supportCase.refetch();
    void history.refetch();
  };

  return (
    <QueryState query={supportCase} rows={6} notFound={<NotFoundPage what="case" />}>
      {(c) => {
        const onPatch = (p: Parameters<typeof patch.mutateAsync>[0]['patch']) =>
          patch.mutateAsync({ patch: p, version: c.version });
        const reply = caseAction(c, 'reply');
        const actions = (
          <Paper withBorder p="md" component="section" aria-label="Case actions">
            <Title order={5} mb="sm">
              {staff ? 'Handle case' : 'Your case'}
            </Title>
            {staff ? (
              <StaffCaseControls
                supportCase={c}
                meId={me.id}
                onPatch={onPatch}
                onReload={reload}
                writing={savingCase}
              />
            ) : (
              <CustomerCaseControls supportCase={c} onPatch={onPatch} />
            )}
          </Paper>
        );
        return (
          <Stack gap="lg">
            <div>
              <Anchor component={Link} to="/cases" size="sm">
                ← {staff ? 'Support cases' : 'My cases'}
              </Anchor>
              <Group justify="space-between" align="flex-start" mt={4}>
                <Title order={1} size="h2" style={{ wordBreak: 'break-word' }}>
                  {c.subject}
                </Title>
                <Group gap="xs">
                  <CaseStatusBadge status={c.status} />
                  <PriorityBadge priority={c.priority} />
                </Group>
              </Group>
              <Text size="sm" c="dimmed">
                {label(c.category)} · order{' '}
                <Anchor
                  component={Link}
                  to={`/orders/${c.order_id}`}
                  state={{ back: { to: `/cases/${c.id}`, label: 'Case' } }}
                  size="sm"
                >
                  {c.order_id}
                </Anchor>{' '}
                · opened {formatDateTime(c.created_at)}{' '}
                {staff ? (
                  <>
                    · customer{' '}
                    <CustomerLink customerId={c.customer_id} customer={c.customer} inline />
                    {c.channel !== 'web' ? ` · taken by ${c.channel}` : ''}
                  </>
                ) : null}
              </Text>
            </div>
            <Grid gutter="lg">
              <Grid.Col span={{ base: 12, md: 8 }}>
                <Stack gap="lg">
                  <Paper withBorder p="md">
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                      {c.description}
                    </Text>
                  </Paper>
                  {stacked ? actions : null}
                  <Paper withBorder p="md" component="section" aria-labelledby="conversation-title">
                    <Title order={4} mb="sm" id="conversation-title">
                      Conversation
                    </Title>
                    <QueryState query={messages} rows={2}>
                      {(list) => (
                        <MessageThread
                          messages={list}
                          currentUserId={me.id}
                          names={names}
                          renderAttachments={(attached) => (
                            <AttachmentGallery attachments={attached} onRedact={onRedact} />
                          )}
                        />
                      )}
                    </QueryState>
                    <div style={{ marginTop: 16 }}>
                      {reply.allowed ? (
                        <ReplyBox
                          key={caseId}
                          draftKey={draftKey(me.id, caseId)}
                          allowInternal={c.allowed_actions.includes('add_internal_note')}
                          cannedReplies={staff ? (canned.data ?? []) : undefined}
                          placeholderValues={valuesFromCase(c)}
                          onSetStatus={(status) =>
                            // No If-Match: sending the reply moved the version, and the
                            // status is the one the agent chose with it just now.
                            patch.mutateAsync({ patch: { status } })
                          }
                          onSend={async (r) => {
                            await post.mutateAsync(r);
                            void files.refetch();
                          }}
                          uploads={uploads}
                          onEditingChange={setWriting}
                          changedBy={changed.change ? whoDid(changed.change) : null}
                          onReload={() => {
                            reload();
                            void messages.refetch();
                            changed.dismiss();
                          }}
                        />
                      ) : (
                        <Text size="sm" c="dimmed">
                          {reply.why}
                        </Text>
                      )}
                    </div>
                  </Paper>
                  {c.allowed_actions.includes('request_refund') ? (
                    <RefundRequestPanel
                      caseId={c.id}
                      orderId={c.order_id}
                      onBehalfOf={staff ? (c.customer?.name ?? c.customer_id) : undefined}
                      suggestedReason={c.refund_reason_code}
                    />
                  ) : null}
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 4 }}>
                <Stack gap="lg">
                  {stacked ? null : actions}
                  {caseFiles.length ? (
                    <Paper withBorder p="md" component="section" aria-labelledby="files-title">
                      <Title order={5} id="files-title">
                        Files on the case
                      </Title>
                      <AttachmentGallery attachments={caseFiles} onRedact={onRedact} />
                    </Paper>
                  ) : null}
                  <SlaClocks supportCase={c} />
                  <Paper withBorder p="md" component="section" aria-labelledby="refunds-title">
                    <Title order={5} mb="sm" id="refunds-title">
                      Refunds
                    </Title>
                    {c.refunds.length ? (
                      <Stack gap="xs">
                        {c.refunds.map((r) => (
                          <Group key={r.id} justify="space-between" wrap="nowrap">
                            <Anchor component={Link} to={`/refunds/${r.id}`} size="sm">
                              <Money amount={r.total_amount} currency={r.currency} />
                            </Anchor>
                            <RefundStatusBadge status={r.status} />
                          </Group>
                        ))}
                      </Stack>
                    ) : (
                      <Text size="sm" c="dimmed">
                        None.
                      </Text>
                    )}
                  </Paper>
                  <Paper withBorder p="md">
                    <Group justify="space-between" mb="sm">
                      <Title order={5}>Order at opening</Title>
                      <Badge variant="light" size="sm">
                        {c.order_id}
                      </Badge>
                    </Group>
                    <OrderSnapshot c={c} />
                  </Paper>
                  <Paper withBorder p="md" component="section" aria-labelledby="history-title">
                    <Title order={5} mb="sm" id="history-title">
                      History
                    </Title>
                    <QueryState query={history} rows={2}>
                      {(events) => (
                        <HistoryTimeline events={events} currentUserId={me.id} names={names} />
                      )}
                    </QueryState>
                  </Paper>
                </Stack>
              </Grid.Col>
            </Grid>
          </Stack>
        );
      }}
    </QueryState>
  );
}
