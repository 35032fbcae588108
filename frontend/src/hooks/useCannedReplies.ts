import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createCannedReply,
  deleteCannedReply,
  listCannedReplies,
  updateCannedReply,
} from '@/services/cannedReplies';
import type { CannedReplyInput } from '@/services/types';
import { keys } from './keys';

/** The canned replies the caller may use; only staff may ask. */
export function useCannedReplies(enabled = true) {
  return useQuery({
    queryKey: keys.cannedReplies,
    queryFn: listCannedReplies,
    enabled,
    staleTime: 60_000,
  });
}

export function useSaveCannedReply() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      body,
      version,
    }: {
      id?: string;
      body: CannedReplyInput;
      version?: number;
    }) => (id ? updateCannedReply(id, body, version) : createCannedReply(body)),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cannedReplies }),
  });
}

export function useDeleteCannedReply() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteCannedReply(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cannedReplies }),
  });
}
