import { Paper, SegmentedControl, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { FileDrop } from '@/components/attachments/FileDrop';
import { AmountRefundForm } from '@/components/refund/AmountRefundForm';
import { RefundRequestForm } from '@/components/refund/RefundRequestForm';
import { useUploads } from '@/hooks/useAttachments';
import { useRequestRefund } from '@/hooks/useCases';
import { useOrder } from '@/hooks/useOrders';
import { useReasonCodes } from '@/hooks/useReasonCodes';
import { useRefundQuote } from '@/hooks/useRefundQuote';
import { ApiError } from '@/services/http';
import type { Refund, RefundRequest } from '@/services/types';

/** "Request a refund": pick units, see the server's live quote, send. Staff ask on the
 * customer's behalf (`onBehalfOf`: the customer's name): the refund is the customer's, the
 * request the agent's; staff may instead give an amount not tied to units. */
export function RefundRequestPanel({
  caseId,
  orderId,
  onBehalfOf,
  suggestedReason,
}: {
  caseId: string;
  orderId: string;
  onBehalfOf?: string;
  /** The cause the case's category suggests (the case's `refund_reason_code`). */
  suggestedReason?: string;
}) {
  const order = useOrder(orderId);
  const reasons = useReasonCodes();
  const [draft, setDraft] = useState<RefundRequest | null>(null);
  const quote = useRefundQuote(caseId, draft);
  const request = useRequestRefund(caseId);
  const navigate = useNavigate();
  // Photos of the damage go with the request (uploaded as picked, named when it is sent).
  const uploads = useUploads(caseId);
  const [kind, setKind] = useState<'units' | 'amount'>('units');
  const sent = (refund: Refund, message: string) => {
    uploads.clear();
    notifications.show({ color: 'green', message });
    navigate(`/refunds/${refund.id}`);
  };
  const attached = () => {
    if (uploads.busy) {
      throw new ApiError({
        status: 422,
        code: 'files_uploading',
        detail: 'Wait until the photos have uploaded, then send.',
      });
    }
    return uploads.ids;
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="refund-request-title">
      <Title order={4} mb="sm" id="refund-request-title">
        {onBehalfOf ? `Request a refund for ${onBehalfOf}` : 'Request a refund'}
      </Title>
      {onBehalfOf ? (
        <SegmentedControl
          mb="sm"
          value={kind}
          onChange={(v) => setKind(v as 'units' | 'amount')}
          aria-label="What to refund"
          data={[
            { value: 'units', label: 'Items of the order' },
            { value: 'amount', label: 'An amount' },
          ]}
        />
      ) : null}
      <QueryState query={order} rows={2}>
        {(o) => (
          <QueryState query={reasons} rows={1}>
            {(offered) =>
              kind === 'amount' ? (
                <AmountRefundForm
                  currency={o.currency}
                  remaining={o.compensation.remaining}
                  reasons={offered}
                  onSubmit={async (body) => {
                    const refund = await request.mutateAsync({
                      ...body,
                      attachment_ids: attached(),
                    });
                    sent(
                      refund,
                      `Refund of an amount for ${onBehalfOf} recorded: approve it to pay.`,
                    );
                  }}
                />
              ) : (
                <RefundRequestForm
                  order={o}
                  reasons={offered}
                  suggestedReason={suggestedReason}
                  quote={draft ? quote.data : undefined}
                  quoteLoading={quote.isFetching}
                  quoteError={quote.error}
                  onRetryQuote={() => void quote.refetch()}
                  onDraftChange={setDraft}
                  onBehalfOf={onBehalfOf}
                  onSubmit={async (body) => {
                    const refund = await request.mutateAsync({
                      ...body,
                      attachment_ids: attached(),
                    });
                    sent(
                      refund,
                      onBehalfOf
                        ? `Refund requested for ${onBehalfOf}. They get the usual mail.`
                        : 'Refund requested. We will review it shortly.',
                    );
                  }}
                />
              )
            }
          </QueryState>
        )}
      </QueryState>
      {kind === 'units' ? (
        <>
          <Text size="sm" fw={500} mt="md" mb={4}>
            Photos of the damage (optional)
          </Text>
          <FileDrop
            pending={uploads.pending}
            onAdd={uploads.add}
            onRemove={uploads.remove}
            inputLabel="Attach photos to the refund request"
            listLabel="Photos for the refund request"
          />
        </>
      ) : null}
    </Paper>
  );
}
