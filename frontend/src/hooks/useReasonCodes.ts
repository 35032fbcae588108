import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createReasonCode, listReasonCodes, updateReasonCode } from '@/services/reasons';
import type { ReasonCodeChange, ReasonCodeInput } from '@/services/types';
import { keys } from './keys';

/** The reasons offered now (every signed-in user), or every reason (admins). */
export function useReasonCodes({ includeInactive = false, enabled = true } = {}) {
  return useQuery({
    queryKey: keys.reasonCodes(includeInactive),
    queryFn: () => listReasonCodes(includeInactive),
    enabled,
    // Admins change the list rarely; a form may offer a list a minute old.
    staleTime: 60_000,
  });
}

export function useAddReasonCode() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ReasonCodeInput) => createReasonCode(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.reasonCodesAll }),
  });
}

export function useChangeReasonCode() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      code,
      body,
      version,
    }: {
      code: string;
      body: ReasonCodeChange;
      version?: number;
    }) => updateReasonCode(code, body, version),
    // Refunds show the labels too.
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: keys.reasonCodesAll }),
        qc.invalidateQueries({ queryKey: keys.refunds.all }),
      ]),
  });
}
