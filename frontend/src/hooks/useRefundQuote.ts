import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { quoteRefund } from '@/services/cases';
import type { RefundRequest } from '@/services/types';

/** The server's quote for what the customer is composing, asked at most every 350 ms. */
export function useRefundQuote(caseId: string, request: RefundRequest | null, delay = 350) {
  const [debounced] = useDebouncedValue(request, delay);
  return useQuery({
    queryKey: ['quote', caseId, debounced],
    queryFn: ({ signal }) => quoteRefund(caseId, debounced!, signal),
    enabled: !!debounced && debounced.items.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    retry: false,
  });
}
