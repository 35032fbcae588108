import { Paper, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { RefundRequestForm } from '@/components/refund/RefundRequestForm';
import { useRequestRefund } from '@/hooks/useCases';
import { useOrder } from '@/hooks/useOrders';
import { useRefundQuote } from '@/hooks/useRefundQuote';
import type { RefundRequest } from '@/services/types';

/** "Request a refund": pick units, see the server's live quote, send. Staff ask on the
 * customer's behalf (`onBehalfOf`: the customer's name): the refund is the customer's, the
 * request the agent's. */
export function RefundRequestPanel({
  caseId,
  orderId,
  onBehalfOf,
}: {
  caseId: string;
  orderId: string;
  onBehalfOf?: string;
}) {
  const order = useOrder(orderId);
  const [draft, setDraft] = useState<RefundRequest | null>(null);
  const quote = useRefundQuote(caseId, draft);
  const request = useRequestRefund(caseId);
  const navigate = useNavigate();

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="refund-request-title">
      <Title order={4} mb="sm" id="refund-request-title">
        {onBehalfOf ? `Request a refund for ${onBehalfOf}` : 'Request a refund'}
      </Title>
      <QueryState query={order} rows={2}>
        {(o) => (
          <RefundRequestForm
            order={o}
            quote={draft ? quote.data : undefined}
            quoteLoading={quote.isFetching}
            quoteError={quote.error}
            onRetryQuote={() => void quote.refetch()}
            onDraftChange={setDraft}
            onBehalfOf={onBehalfOf}
            onSubmit={async (body) => {
              const refund = await request.mutateAsync(body);
              notifications.show({
                color: 'green',
                message: onBehalfOf
                  ? `Refund requested for ${onBehalfOf}. They get the usual mail.`
                  : 'Refund requested. We will review it shortly.',
              });
              navigate(`/refunds/${refund.id}`);
            }}
          />
        )}
      </QueryState>
    </Paper>
  );
}
