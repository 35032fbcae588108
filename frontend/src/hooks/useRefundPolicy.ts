import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  dryRunPolicy,
  getRefundPolicy,
  listPolicyVersions,
  publishPolicy,
} from '@/services/policy';
import type { PolicyPublish, PolicyRules } from '@/services/types';
import { keys } from './keys';

export function useRefundPolicy() {
  return useQuery({ queryKey: keys.refundPolicy.current(), queryFn: getRefundPolicy });
}

export function usePolicyVersions() {
  return useQuery({ queryKey: keys.refundPolicy.versions(), queryFn: listPolicyVersions });
}

/** A dry run stores nothing, so it is a mutation only in that it is asked for on a click. */
export function usePolicyDryRun() {
  return useMutation({ mutationFn: (rules: PolicyRules) => dryRunPolicy(rules) });
}

export function usePublishPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, basedOn }: { body: PolicyPublish; basedOn: number }) =>
      publishPolicy(body, basedOn),
    // A conflict means another version is in force: both answers call for the latest.
    onSettled: () => qc.invalidateQueries({ queryKey: keys.refundPolicy.all }),
  });
}
